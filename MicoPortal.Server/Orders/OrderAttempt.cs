namespace MicoPortal.Server.Orders;

/// <summary>What kind of interaction an <see cref="OrderAttempt"/> records.</summary>
public enum AttemptKind
{
    Create,
    Query,
    Callback,
    Reverify,
    RetryDelivery,
    /// <summary>A reconciliation compared the order with the provider's transaction log.</summary>
    Ledger,
    /// <summary>A person settled the order by hand (docs/api.md section 10).</summary>
    Resolve,
    /// <summary>The order was not final past its SLA and was flagged stuck.</summary>
    Sla,
}

/// <summary>
/// One interaction with the provider about an order (a create, a query, a callback) or an admin
/// action, with its outcome. The order's attempt timeline on the dashboard is built from these.
/// </summary>
public sealed class OrderAttempt
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    /// <summary>The delivery attempt this interaction belongs to (part of the client reference).</summary>
    public int DeliveryAttemptNo { get; set; }
    /// <summary>The provider called (or calling back); null for admin actions on an attempt never sent.</summary>
    public string? Provider { get; set; }
    public AttemptKind Kind { get; set; }
    public DateTimeOffset At { get; set; }
    public int? HttpStatus { get; set; }
    public string? ProviderStatus { get; set; }
    /// <summary>What the portal made of it, e.g. "Submitted", "Unknown", "stale version ignored".</summary>
    public required string Outcome { get; set; }
    public int LatencyMs { get; set; }
    public string? Error { get; set; }
    /// <summary>Who asked for it, for admin actions; null for the portal's own work.</summary>
    public string? Actor { get; set; }
}
