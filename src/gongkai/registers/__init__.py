"""The registers that produce the report tables: requests (依申请公开台账) and normative documents."""
