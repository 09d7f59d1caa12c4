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

/// <summary>What a reconciliation found for one log row or one order (CONTRACT.md section 7).</summary>
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
    string? Error);

/// <summary><c>POST /api/v1/reconciliations</c> answer.</summary>
public sealed record ReconciliationCreated(long Id);

/// <summary>The portal's side of a reconciliation item.</summary>
public sealed record PortalSide(string Status, int Coins, decimal Amount, string Currency, int AttemptNo);

/// <summary>The provider's side: the log row as read.</summary>
public sealed record ProviderSide(string? ProviderRef, string? Status, string? Serial, int? Quantity, decimal? Amount, string? Currency, DateTimeOffset? UpdatedAt);

/// <summary>One line of a reconciliation report.</summary>
public sealed record ReconciliationItemDto(string ClientRef, long? OrderId, ReconciliationItemKind Kind, PortalSide? Portal, ProviderSide? Provider, string? Note);
