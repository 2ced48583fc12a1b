module quorum.dev/tools/pause

go 1.22
