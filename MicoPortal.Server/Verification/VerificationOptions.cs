using System.ComponentModel.DataAnnotations;

namespace MicoPortal.Server.Verification;

/// <summary>Section <c>Verification</c>: how the sweeps pace their work.</summary>
public sealed class VerificationOptions
{
    public const string Section = "Verification";

    /// <summary>
    /// Whether this instance runs the dispatch, verify and stuck sweeps. Off on an instance that only
    /// takes orders while others (sharing the database) deliver them; callbacks are handled either way.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>An order not final this long after Received is flagged stuck.</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Delays between checks of one order, by how many checks it has had; the last repeats.
    /// Empty means <see cref="DefaultBackoff"/>. (Configuration appends to a non-empty default
    /// array instead of replacing it, so the default lives apart.)
    /// </summary>
    public TimeSpan[] Backoff { get; set; } = [];

    public static readonly TimeSpan[] DefaultBackoff =
    [
        TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30),
        TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10),
    ];

    /// <summary>Random spread applied to each delay (0.2 = ±20%) so retries do not arrive in waves.</summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.2;

    /// <summary>A delivered order gets one more query this long after delivery to catch early reversals; zero turns it off.</summary>
    public TimeSpan SettlementCheckAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a claimed batch is reserved for the sweep that claimed it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Orders claimed by one dispatch round at most (fewer when fewer of the provider's slots are free).</summary>
    [Range(1, 10_000)]
    public int DispatchBatchSize { get; set; } = 500;

    /// <summary>Orders claimed by one verify round (queried in chunks of <see cref="QueryChunkSize"/>).</summary>
    [Range(1, 50_000)]
    public int VerifyBatchSize { get; set; } = 2_000;

    [Range(1, 500)]
    public int QueryChunkSize { get; set; } = 500;

    /// <summary>Status queries in flight to one provider at once (each inside the provider's concurrency limit).</summary>
    [Range(1, 256)]
    public int MaxQueriesInFlight { get; set; } = 16;

    /// <summary>
    /// Longest wait before asking again about an order that holds a signed SUCCESS callback and only
    /// waits for the query that confirms it: such an order does not follow the ordinary backoff, which
    /// after a few failed queries would leave a delivery in hand unconfirmed for minutes.
    /// </summary>
    public TimeSpan ConfirmationRecheck { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one sweep run keeps claiming batches before handing back to the scheduler.</summary>
    public TimeSpan SweepBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Pause between rounds of a sweep when nothing was due.</summary>
    public TimeSpan IdlePoll { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// After a person settles an order as Failed, how long the provider is still asked about that attempt's
    /// reference (docs/api.md section 10: 7 days), and how often.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan LateDeliveryWatch { get; set; } = TimeSpan.FromDays(7);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LateDeliveryCheckInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each provider's prepaid float is read (<c>GET /v1/balance</c>).</summary>
    public TimeSpan BalanceCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each instance reads the pause switches other instances may have flipped.</summary>
    public TimeSpan ProviderStateRefresh { get; set; } = TimeSpan.FromSeconds(2);
}
