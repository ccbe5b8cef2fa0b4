"""帮扶通: employment-subsidy assistant for workers from poverty-alleviated counties."""
