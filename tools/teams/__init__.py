"""One stack per team: stack files with team tags, their own VPC CIDR and unique physical names."""
