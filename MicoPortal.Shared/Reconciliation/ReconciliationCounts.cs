namespace MicoPortal.Shared.Reconciliation;

/// <summary>
/// What a reconciliation counted (docs/api.md section 7): the log's rows, the rows that agreed with their order,
/// the findings of each <see cref="ReconciliationItemKind"/>, and the ledger confirmations the agreeing rows added.
/// The job keeps it, the run stores it, the API sends it and the pages show it.
/// </summary>
public sealed record ReconciliationCounts(
    long Rows,
    long Matched,
    long MissingInPortal,
    long MissingAtProvider,
    long StatusMismatch,
    long AmountMismatch,
    long InvalidRows,
    long Confirmed)
{
    public static readonly ReconciliationCounts None = new(0, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>How many findings of <paramref name="kind"/> there are.</summary>
    public long Of(ReconciliationItemKind kind) => kind switch
    {
        ReconciliationItemKind.MissingInPortal => MissingInPortal,
        ReconciliationItemKind.MissingAtProvider => MissingAtProvider,
        ReconciliationItemKind.StatusMismatch => StatusMismatch,
        ReconciliationItemKind.AmountMismatch => AmountMismatch,
        ReconciliationItemKind.InvalidRow => InvalidRows,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>These counts and <paramref name="count"/> more findings of <paramref name="kind"/>.</summary>
    public ReconciliationCounts Add(ReconciliationItemKind kind, long count = 1) => kind switch
    {
        ReconciliationItemKind.MissingInPortal => this with { MissingInPortal = MissingInPortal + count },
        ReconciliationItemKind.MissingAtProvider => this with { MissingAtProvider = MissingAtProvider + count },
        ReconciliationItemKind.StatusMismatch => this with { StatusMismatch = StatusMismatch + count },
        ReconciliationItemKind.AmountMismatch => this with { AmountMismatch = AmountMismatch + count },
        ReconciliationItemKind.InvalidRow => this with { InvalidRows = InvalidRows + count },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The counts in words, as the run's log line and its audit entry give them.</summary>
    public string InWords() =>
        $"{Rows} rows, {Matched} matched, {MissingInPortal} missing in portal, {MissingAtProvider} missing at provider, " +
        $"{StatusMismatch} status and {AmountMismatch} amount mismatches, {InvalidRows} invalid rows, {Confirmed} ledger confirmations";
}
