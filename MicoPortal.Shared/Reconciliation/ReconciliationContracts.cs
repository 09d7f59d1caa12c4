using System.Text.Json.Serialization;

namespace MicoPortal.Shared.Reconciliation;

[JsonConverter(typeof(JsonStringEnumConverter<ReconciliationState>))]
public enum ReconciliationState
{
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>What a reconciliation found for one log row or one order (docs/api.md section 7).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ReconciliationItemKind>))]
public enum ReconciliationItemKind
{
    /// <summary>The log lists a reference the portal has no order for.</summary>
    [JsonStringEnumMemberName("missingInPortal")] MissingInPortal,
    /// <summary>The portal sent the order within the log's time range and the log does not list it.</summary>
    [JsonStringEnumMemberName("missingAtProvider")] MissingAtProvider,
    /// <summary>The log's status disagrees with the order's.</summary>
    [JsonStringEnumMemberName("statusMismatch")] StatusMismatch,
    /// <summary>The quantity differs from the order's coins, or the amount is above (or currency differs from) the price limit sent.</summary>
    [JsonStringEnumMemberName("amountMismatch")] AmountMismatch,
    /// <summary>A row that could not be read (kept so nothing in the file is silently skipped).</summary>
    [JsonStringEnumMemberName("invalidRow")] InvalidRow,
}

/// <summary>The contract's names of the kinds (<c>missingInPortal</c>...), as JSON and <c>?kind=</c> use them.</summary>
public static class ReconciliationItemKinds
{
    public static string NameOf(ReconciliationItemKind kind) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    /// <summary>Reads a kind by its contract name or its enum name, any letter case.</summary>
    public static bool TryParse(string? name, out ReconciliationItemKind kind)
    {
        foreach (var value in Enum.GetValues<ReconciliationItemKind>())
        {
            if (string.Equals(NameOf(value), name, StringComparison.OrdinalIgnoreCase))
            {
                kind = value;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>A kind's name for people: a column heading, a tab, a card.</summary>
    public static string Label(ReconciliationItemKind kind) => kind switch
    {
        ReconciliationItemKind.MissingInPortal => "Missing in portal",
        ReconciliationItemKind.MissingAtProvider => "Missing at provider",
        ReconciliationItemKind.StatusMismatch => "Status mismatch",
        ReconciliationItemKind.AmountMismatch => "Amount mismatch",
        ReconciliationItemKind.InvalidRow => "Invalid rows",
        _ => kind.ToString(),
    };

    /// <summary>What a finding of the kind means, in a few words (a card's caption, a heading's tooltip).</summary>
    public static string Description(ReconciliationItemKind kind) => kind switch
    {
        ReconciliationItemKind.MissingInPortal => "listed by the provider, no order here",
        ReconciliationItemKind.MissingAtProvider => "sent in the log's range, not listed",
        ReconciliationItemKind.StatusMismatch => "the provider's status disagrees",
        ReconciliationItemKind.AmountMismatch => "coins, price limit or currency differ",
        ReconciliationItemKind.InvalidRow => "rows that could not be read",
        _ => "",
    };
}

/// <summary><c>GET /api/v1/reconciliations/{id}</c>.</summary>
public sealed record ReconciliationDto
{
    public required long Id { get; init; }

    public required ReconciliationState State { get; init; }

    /// <summary>What the run counted. It travels as the flat fields below, as the contract lists them.</summary>
    [JsonIgnore]
    public ReconciliationCounts Counts { get; init; } = ReconciliationCounts.None;

    public long Rows { get => Counts.Rows; init => Counts = Counts with { Rows = value }; }
    public long Matched { get => Counts.Matched; init => Counts = Counts with { Matched = value }; }
    public long MissingInPortal { get => Counts.MissingInPortal; init => Counts = Counts with { MissingInPortal = value }; }
    public long MissingAtProvider { get => Counts.MissingAtProvider; init => Counts = Counts with { MissingAtProvider = value }; }
    public long StatusMismatch { get => Counts.StatusMismatch; init => Counts = Counts with { StatusMismatch = value }; }
    public long AmountMismatch { get => Counts.AmountMismatch; init => Counts = Counts with { AmountMismatch = value }; }
    public long InvalidRows { get => Counts.InvalidRows; init => Counts = Counts with { InvalidRows = value }; }
    public long Confirmed { get => Counts.Confirmed; init => Counts = Counts with { Confirmed = value }; }

    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public required string FileName { get; init; }
    public long FileBytes { get; init; }
    public long BytesRead { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    public string? UploadedBy { get; init; }
    public DateTimeOffset? RangeFrom { get; init; }
    public DateTimeOffset? RangeTo { get; init; }
    public string? Error { get; init; }
    public string Provider { get; init; } = "default";
}

/// <summary><c>POST /api/v1/reconciliations</c> answer.</summary>
public sealed record ReconciliationCreated(long Id);

/// <summary>The portal's side of a reconciliation item.</summary>
public sealed record PortalSide(string Status, int Coins, decimal Amount, string Currency, int AttemptNo);

/// <summary>The provider's side: the log row as read.</summary>
public sealed record ProviderSide(string? ProviderRef, string? Status, string? Serial, int? Quantity, decimal? Amount, string? Currency, DateTimeOffset? UpdatedAt);

/// <summary>One line of a reconciliation report.</summary>
public sealed record ReconciliationItemDto(string ClientRef, long? OrderId, ReconciliationItemKind Kind, PortalSide? Portal, ProviderSide? Provider, string? Note);
