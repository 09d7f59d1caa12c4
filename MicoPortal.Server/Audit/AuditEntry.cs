namespace MicoPortal.Server.Audit;

/// <summary>
/// One line of the tamper-evident audit ledger: an order transition or an operator action.
/// Entries are written unsealed (no <see cref="Sequence"/>, no <see cref="Hash"/>) in the same
/// transaction as the change they describe, so writers never wait on the chain; the
/// <see cref="AuditSealer"/> then numbers them and links each one's hash to the previous one.
/// </summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    /// <summary>Position in the chain, from 1 with no gaps; null until sealed.</summary>
    public long? Sequence { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Who did it; null for the portal's own work (sweeps, callbacks, reconciliation rows).</summary>
    public string? Actor { get; set; }

    /// <summary>What happened, as a stable dotted name (<see cref="AuditActions"/>).</summary>
    public required string Action { get; set; }

    public long? OrderId { get; set; }

    /// <summary>A readable sentence, e.g. "Submitted → Delivered: provider reports SUCCESS with proof".</summary>
    public required string Details { get; set; }

    /// <summary>The previous entry's hash (64 zeros for the first); null until sealed.</summary>
    public string? PreviousHash { get; set; }

    /// <summary>SHA-256 over <see cref="PreviousHash"/> and the canonical form of this entry; null until sealed.</summary>
    public string? Hash { get; set; }
}

/// <summary>A sealed chain head, copied to the application log when written, so cutting the tail off the chain is detectable.</summary>
public sealed class AuditCheckpoint
{
    public long Id { get; set; }

    public long Sequence { get; set; }

    public required string Hash { get; set; }

    public DateTimeOffset At { get; set; }
}
