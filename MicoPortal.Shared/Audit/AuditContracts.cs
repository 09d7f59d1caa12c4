namespace MicoPortal.Shared.Audit;

/// <summary><c>GET /api/v1/audit/verify</c>: whether the audit chain is intact.</summary>
/// <param name="Valid">True when every sealed entry links to the one before and matches its hash, and no checkpoint is missing.</param>
/// <param name="Entries">Sealed entries checked.</param>
/// <param name="FirstBrokenEntry">The first entry (by sequence) where the chain breaks, and why.</param>
/// <param name="Pending">Entries written but not sealed yet (sealing runs every few seconds).</param>
/// <param name="Checkpoints">Checkpoints compared against the chain.</param>
public sealed record AuditVerification(bool Valid, long Entries, BrokenAuditEntry? FirstBrokenEntry, long Pending = 0, int Checkpoints = 0);

public sealed record BrokenAuditEntry(long Sequence, string Reason);

/// <summary>One audit ledger entry as listed on the audit page.</summary>
public sealed record AuditEntryDto(long Id, long? Sequence, DateTimeOffset At, string? Actor, string Action, long? OrderId, string Details, string? Hash);
