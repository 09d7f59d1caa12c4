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
}

/// <summary><c>GET /api/v1/reconciliations/{id}</c>.</summary>
public sealed record ReconciliationDto(
    long Id,
    ReconciliationState State,
    long Rows,
    long Matched,
    long MissingInPortal,
    long MissingAtProvider,
    long StatusMismatch,
    long AmountMismatch,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string FileName,
    long FileBytes,
    long BytesRead,
    long InvalidRows,
    long Confirmed,
    DateTimeOffset UploadedAt,
    string? UploadedBy,
    DateTimeOffset? RangeFrom,
    DateTimeOffset? RangeTo,
    string? Error,
    string Provider = "default");

/// <summary><c>POST /api/v1/reconciliations</c> answer.</summary>
public sealed record ReconciliationCreated(long Id);

/// <summary>The portal's side of a reconciliation item.</summary>
public sealed record PortalSide(string Status, int Coins, decimal Amount, string Currency, int AttemptNo);

/// <summary>The provider's side: the log row as read.</summary>
public sealed record ProviderSide(string? ProviderRef, string? Status, string? Serial, int? Quantity, decimal? Amount, string? Currency, DateTimeOffset? UpdatedAt);

/// <summary>One line of a reconciliation report.</summary>
public sealed record ReconciliationItemDto(string ClientRef, long? OrderId, ReconciliationItemKind Kind, PortalSide? Portal, ProviderSide? Provider, string? Note);
