"""Button data of the flows, in one place so prefixes never overlap (the router checks too).

Each flow's buttons start with its prefix; the data after it is ASCII and short (64 bytes).
"""
from __future__ import annotations

from bot.core.results_view import CLAIMS_BUTTON

REGISTER = "reg:"          # /apply: register an applicant
REGISTER_SKIP_PHONE = "reg:skip"
BEHALF = "bh:"             # the interview on an applicant's behalf
BEHALF_OPEN = "bh:open:"   # + applicant id
BEHALF_LEAVE = "bh:leave"
APPLICANTS = "apl:"        # /applicants: pages, search, 131 services, delete, links
APPLICANT_LINK = "apl:lnk:"   # + applicant id
APPLICANT_PAGE = "apl:pg:"    # + page + ":" + the search text (base64url of its UTF-8)
APPLICANT_FIND = "apl:find"   # 🔍: the next typed text is a name to look for
APPLICANT_SERVICE = "apl:svc:"   # + applicant id: which 131 service was delivered today
SERVICE_KIND = "apl:svk:"     # + applicant id:kind:token (one token per set of buttons)
SERVICE_UNDO = "apl:svu:"     # + applicant id:service id
APPLICANT_DELETE = "apl:del:"    # + applicant id: asks to confirm
APPLICANT_DELETE_YES = "apl:dely:"   # + applicant id
APPLICANT_KEEP = "apl:no"     # 不删了
ACCOUNT = "acct:"          # /delete and a coordinator's departure
DELETE_YES, DELETE_NO = "acct:delete:yes", "acct:delete:no"
HAND_OVER, KEEP = "acct:delete:to:", "acct:delete:keep"
INVITES = "inv:"           # /invite, /invites (cancel)
INVITE_CANCEL = "inv:x:"   # + the invite's reference
ROLES = "rol:"             # /roles: revoke a role (asked first), hand a coordinator's applicants over
ROLE_ASK, ROLE_YES, ROLE_NO = "rol:ask:", "rol:yes:", "rol:no"   # + user id
ROLE_TO, ROLE_KEEP = "rol:to:", "rol:keep:"   # + user id (to: + ":" + successor id)
FAIR = "fair:"             # the /fair draft and its preview
FAIR_QUIT, FAIR_WHEN_OK, FAIR_WHEN_RETYPE = "fair:quit", "fair:when_ok", "fair:when_retype"
FAIR_SEND, FAIR_SCHEDULE, FAIR_CANCEL = "fair:send:", "fair:sched:", "fair:cancel:"   # + fair id
FAIR_LIST = "fairl:"       # /fairs: cancel a scheduled fair (asked first)
FAIR_LIST_ASK, FAIR_LIST_YES, FAIR_LIST_KEEP = "fairl:ask:", "fairl:yes:", "fairl:keep:"   # + fair id
SHEET = "sht:"             # a spreadsheet sent to the bot: register its people
SHEET_IMPORT, SHEET_SKIP = "sht:import", "sht:skip"
CLAIMS = "clm:"            # 记录申领情况: a worker's own subsidies, or an applicant's
CLAIMS_OWN = CLAIMS_BUTTON   # made by the core under the worker's results
CLAIMS_FOR = "clm:a:"      # + applicant id (the results of an interview on behalf)
CAMPAIGN = "cmp:"          # /campaign: pick a subsidy (+ index), then send or cancel
CAMPAIGN_PICK, CAMPAIGN_SEND, CAMPAIGN_CANCEL = "cmp:r:", "cmp:send", "cmp:x"
RULES_UPLOAD = "rul:"      # an admin's new document (knowledge .md + rules .yaml): check, then on
RULES_CHECK, RULES_ON, RULES_TELL, RULES_QUIT = "rul:check", "rul:on", "rul:tell", "rul:x"
