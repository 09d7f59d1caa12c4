using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Orders;

/// <summary>
/// A paid order from the shop and everything the portal knows about its delivery. The orders table
/// is also the work queue: <see cref="NextCheckAt"/> says when a sweep should look at it next and
/// <see cref="LeaseUntil"/> keeps two sweeps (or two servers) from working on it at once.
/// Status changes happen only in <see cref="OrderStateMachine"/>.
/// </summary>
public sealed class Order
{
    public long Id { get; set; }

    // What the shop sent: the order's identity for idempotency.
    public required string ExternalId { get; set; }
    public required string MicoUserId { get; set; }
    public required string Region { get; set; }
    public required string Sku { get; set; }
    public int Coins { get; set; }
    public decimal Amount { get; set; }
    public required string Currency { get; set; }
    /// <summary>Where the customer hears about the outcome by SMS (E.164); null when the shop sent none.</summary>
    public string? CustomerPhone { get; set; }
    /// <summary>The shop that sent the order (from its API key); only that shop's keys see it.</summary>
    public string Shop { get; set; } = Auth.ShopScope.Portal;

    // Delivery state and flags change only through OrderStateMachine (the setters are not public).
    public OrderStatus Status { get; internal set; } = OrderStatus.Received;
    public bool Stuck { get; internal set; }
    public bool Disputed { get; internal set; }
    public string? DisputeReason { get; internal set; }

    /// <summary>Delivery attempt number; the provider reference is <c>{Id}-{AttemptNo}</c>.</summary>
    public int AttemptNo { get; set; } = 1;
    /// <summary>Set when a create for the current attempt may have reached the provider.</summary>
    public DateTimeOffset? CreateIssuedAt { get; set; }
    /// <summary>
    /// The provider of the current attempt. Chosen by dispatch and stored before its create is sent; the
    /// attempt then stays with it until it is final. Null only while the attempt has never been sent.
    /// </summary>
    public string? Provider { get; set; }
    /// <summary>Providers of this order's earlier attempts, comma-separated: failover never goes back to one of them.</summary>
    public string? ProvidersTried { get; set; }

    // The provider's view, from the newest version applied.
    public string? ProviderRef { get; set; }
    public string? ProviderStatus { get; set; }
    public long ProviderVersion { get; set; }
    /// <summary>Highest version seen in a callback; callbacks are ordered separately because they are only hints.</summary>
    public long CallbackVersion { get; set; }
    public string? ReasonCode { get; set; }
    public string? ReasonMessage { get; set; }
    public string? ProofSerial { get; set; }
    public int? DeliveredQuantity { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }

    // Confirmations of delivery, by independent source, for the current attempt.
    public DateTimeOffset? ApiConfirmedAt { get; set; }
    public DateTimeOffset? CallbackConfirmedAt { get; set; }
    public DateTimeOffset? LedgerConfirmedAt { get; set; }
    /// <summary>A person settled the order as delivered (<see cref="OrderResolution"/>).</summary>
    public DateTimeOffset? ManualConfirmedAt { get; set; }
    /// <summary>
    /// After a person settled the order as Failed, the provider is still asked about the attempt's reference
    /// until then: a SUCCESS found later flags the order disputed and opens a <c>lateDelivery</c> incident.
    /// </summary>
    public DateTimeOffset? LateDeliveryWatchUntil { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
    /// <summary>When the current attempt breaches the SLA and is flagged stuck if not final.</summary>
    public DateTimeOffset DueBy { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Time from Received to the confirmation that made the order Delivered.</summary>
    public long? LatencyMs { get; set; }
    /// <summary>Re-verifications and retries people asked for; an order finished with none was fully automated.</summary>
    public int OperatorActions { get; set; }

    // Work queue.
    public DateTimeOffset? NextCheckAt { get; set; }
    public DateTimeOffset? LeaseUntil { get; set; }
    /// <summary>Checks since the last status change; drives the backoff.</summary>
    public int CheckCount { get; set; }

    /// <summary>Optimistic concurrency token, renewed on every write (SQLite has no rowversion).</summary>
    public Guid Version { get; set; }

    public List<OrderAttempt> Attempts { get; set; } = [];

    public string ClientRef => FormatClientRef(Id, AttemptNo);

    /// <summary>
    /// Orders a person should look at (the failed deliveries page): failed, reversed, stuck or disputed.
    /// </summary>
    public static readonly System.Linq.Expressions.Expression<Func<Order, bool>> NeedsAttention =
        o => o.Status == OrderStatus.Failed || o.Status == OrderStatus.Reversed || o.Stuck || o.Disputed;

    /// <summary>
    /// The SQL that EF Core generates for <see cref="NeedsAttention"/>, as the filter of a partial
    /// index: SQLite uses a partial index only when the query's WHERE contains the index's WHERE, so
    /// the two must stay the same (a test checks the query plan).
    /// </summary>
    public const string NeedsAttentionSql = "\"Status\" IN ('Failed', 'Reversed') OR \"Stuck\" OR \"Disputed\"";

    public int ConfirmationCount =>
        (ApiConfirmedAt is null ? 0 : 1) + (CallbackConfirmedAt is null ? 0 : 1) + (LedgerConfirmedAt is null ? 0 : 1) + (ManualConfirmedAt is null ? 0 : 1);

    /// <summary>Orders only a person can close now: past the SLA, or disputed (the "waiting on a person" filter).</summary>
    public static readonly System.Linq.Expressions.Expression<Func<Order, bool>> WaitingOnPerson =
        o => o.Stuck || o.Disputed;

    /// <summary>
    /// Whether a person may settle the order by hand (docs/api.md section 10): an outcome nobody knows, past its SLA,
    /// or sources that disagree. A Delivered order that nobody disputes is not among them.
    /// </summary>
    public bool IsResolvable => Status.AllowsManualResolution(Stuck, Disputed);

    public static string FormatClientRef(long orderId, int attemptNo) => $"{orderId}-{attemptNo}";

    /// <summary>Parses <c>{orderId}-{attemptNo}</c>; false for anything else.</summary>
    public static bool TryParseClientRef(string? clientRef, out long orderId, out int attemptNo)
    {
        orderId = 0;
        attemptNo = 0;
        if (string.IsNullOrEmpty(clientRef))
        {
            return false;
        }

        var dash = clientRef.LastIndexOf('-');
        return dash > 0
            && long.TryParse(clientRef.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out orderId)
            && int.TryParse(clientRef.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out attemptNo)
            && orderId > 0 && attemptNo > 0;
    }
}
