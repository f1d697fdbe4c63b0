"""Local compute: a labelled stand-in for servers, disks and backups, whose disks are real chunk-store devices."""
