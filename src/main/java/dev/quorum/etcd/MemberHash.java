package dev.quorum.etcd;

/**
 * A member's hash of its keys and values up to one revision ({@code etcdctl endpoint hashkv}): members that hold the
 * same data, compacted as far, answer the same hash at the same revision.
 *
 * @param memberId the member that answered
 * @param revision the revision hashed up to
 * @param compactRevision the revision its history was compacted to; hashes compare only at the same one
 * @param hash etcd's CRC-32 of the data, unsigned
 */
public record MemberHash(long memberId, long revision, long compactRevision, long hash) {}
