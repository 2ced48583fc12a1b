package dev.quorum.backup;

import dev.quorum.etcd.MaintenanceStatus;
import dev.quorum.objectstore.UploadResult;

/** A snapshot that is stored and checked: what status reports about it. */
public record BackupResult(UploadResult upload, MaintenanceStatus source, String sourceMember) {}
