using System.Text.Json.Serialization;

namespace MicoPortal.Shared.Orders;

/// <summary>
/// Body of <c>POST /api/v1/orders</c>. Fields are nullable so validation can name what is missing.
/// <see cref="CustomerPhone"/> is optional (E.164, "+9715..."): where the customer hears about the coins by SMS.
/// </summary>
public sealed record CreateOrderRequest(
    string? ExternalId,
    string? MicoUserId,
    string? Region,
    string? Sku,
    int? Coins,
    string? Amount,
    string? Currency,
    string? CustomerPhone = null);

/// <summary>Body of <c>POST /api/v1/orders/batch</c> (up to 1,000 orders).</summary>
public sealed record CreateOrderBatchRequest(IReadOnlyList<CreateOrderRequest>? Orders);

public static class BatchOutcomes
{
    public const string Created = "created";
    public const string Existing = "existing";
    public const string Conflict = "conflict";
    public const string Invalid = "invalid";
}

public sealed record BatchOrderResult(
    string? ExternalId,
    long? Id,
    string Outcome,
    IDictionary<string, string[]>? Errors = null);

public sealed record CreateOrderBatchResponse(IReadOnlyList<BatchOrderResult> Results);

/// <summary>Provider proof of delivery.</summary>
public sealed record ProofDto(string Serial, int DeliveredQuantity, DateTimeOffset DeliveredAt);

public sealed record ConfirmationDto(ConfirmationSource Source, DateTimeOffset ConfirmedAt);

/// <summary>One call to (or from) the provider about an order.</summary>
public sealed record AttemptDto(
    long Id,
    int DeliveryAttemptNo,
    string ClientRef,
    string Kind,
    DateTimeOffset At,
    int? HttpStatus,
    string? ProviderStatus,
    string Outcome,
    int LatencyMs,
    string? Error,
    string? Actor = null,
    string? Provider = null);

/// <summary>
/// What an order shows in lists and in full alike: <see cref="OrderSummaryDto"/> and <see cref="OrderDto"/> add their
/// own fields to these. Their JSON is flat: these fields first, then the type's own (which carry
/// <c>[JsonPropertyOrder(1)]</c>, as System.Text.Json otherwise writes a derived type's properties before its base's).
/// </summary>
public abstract record OrderFields
{
    public required long Id { get; init; }
    public required string ExternalId { get; init; }
    public required string MicoUserId { get; init; }
    public required string Region { get; init; }
    public required string Sku { get; init; }
    public required int Coins { get; init; }

    /// <summary>The price limit as a decimal string ("4.99").</summary>
    public required string Amount { get; init; }

    public required string Currency { get; init; }
    public required OrderStatus Status { get; init; }
    public bool Stuck { get; init; }
    public bool Disputed { get; init; }
    public required int AttemptNo { get; init; }
    public string? ReasonCode { get; init; }
    public string? ReasonMessage { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public long? LatencyMs { get; init; }

    /// <summary>The provider of the current attempt.</summary>
    public string? Provider { get; init; }
}

/// <summary>A row in order lists: everything but the attempt history.</summary>
public sealed record OrderSummaryDto : OrderFields
{
    [JsonPropertyOrder(1)] public required int ConfirmationCount { get; init; }
}

/// <summary>The whole order: <c>GET /api/v1/orders/{id}</c>.</summary>
public sealed record OrderDto : OrderFields
{
    [JsonPropertyOrder(1)] public required string ClientRef { get; init; }
    [JsonPropertyOrder(1)] public string? ProviderRef { get; init; }
    [JsonPropertyOrder(1)] public string? ProviderStatus { get; init; }
    [JsonPropertyOrder(1)] public ProofDto? Proof { get; init; }
    [JsonPropertyOrder(1)] public required IReadOnlyList<ConfirmationDto> Confirmations { get; init; }
    [JsonPropertyOrder(1)] public required IReadOnlyList<AttemptDto> Attempts { get; init; }
    [JsonPropertyOrder(1)] public DateTimeOffset? SubmittedAt { get; init; }
    [JsonPropertyOrder(1)] public DateTimeOffset? NextCheckAt { get; init; }
    [JsonPropertyOrder(1)] public string? CustomerPhone { get; init; }
    [JsonPropertyOrder(1)] public IReadOnlyList<OrderNoteDto>? Notes { get; init; }
    [JsonPropertyOrder(1)] public IReadOnlyList<OrderResolutionDto>? Resolutions { get; init; }
    [JsonPropertyOrder(1)] public DateTimeOffset? LateDeliveryWatchUntil { get; init; }
}

/// <summary>An operator's note on an order (<c>POST /api/v1/orders/{id}/notes</c>); shown in the order's timeline.</summary>
public sealed record OrderNoteDto(long Id, string Author, string Text, DateTimeOffset At);

/// <summary>Body of <c>POST /api/v1/orders/{id}/notes</c>.</summary>
public sealed record AddOrderNoteRequest(string? Text);

/// <summary>The outcomes a person may settle an order with.</summary>
public static class ResolutionOutcomes
{
    public const string Delivered = "Delivered";
    public const string Failed = "Failed";
}

/// <summary>
/// Body of <c>POST /api/v1/orders/{id}/resolve</c> (JSON; or multipart form with the same fields and an optional
/// <c>file</c> of evidence). <see cref="Outcome"/> is <see cref="ResolutionOutcomes.Delivered"/> or <see cref="ResolutionOutcomes.Failed"/>.
/// </summary>
public sealed record ResolveOrderRequest(string? Outcome, string? Reason, string? Evidence = null);

/// <summary>A person's settlement of an order: who, why, and the evidence they had.</summary>
public sealed record OrderResolutionDto(
    long Id,
    int DeliveryAttemptNo,
    string Outcome,
    string Reason,
    string? Evidence,
    string? EvidenceFileName,
    long? EvidenceFileBytes,
    string ResolvedBy,
    DateTimeOffset ResolvedAt);

/// <summary>
/// Query of <c>GET /api/v1/orders</c>. <c>q</c> searches order id, external id and MICO user id.
/// <c>sort</c> is a field name (receivedAt, updatedAt, status, coins, latencyMs), <c>desc</c> its direction.
/// <c>attention=true</c> selects what needs a person: Failed, Reversed, stuck or disputed orders.
/// <c>waiting=true</c> selects the orders only a person can close now: stuck or disputed, not yet settled.
/// </summary>
public sealed record OrderListQuery(
    string? ExternalId = null,
    OrderStatus? Status = null,
    bool? Stuck = null,
    bool? Disputed = null,
    bool? Attention = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null,
    string? Q = null,
    int Page = 1,
    int PageSize = 50,
    string? Sort = null,
    bool Desc = true,
    bool? Waiting = null);

/// <summary>A change pushed to dashboards (hub method <c>OrdersChanged</c>).</summary>
public sealed record OrderChange(
    long Id,
    string ExternalId,
    OrderStatus Status,
    bool Stuck,
    bool Disputed,
    DateTimeOffset ChangedAt);

/// <summary>Body of <c>POST /api/v1/orders/reverify</c>: either ids, or a status/stuck filter.</summary>
public sealed record ReverifyOrdersRequest(IReadOnlyList<long>? Ids, OrderStatus? Status = null, bool? Stuck = null);

public sealed record ReverifyOrdersResponse(int Queued);

public sealed record AccountLookupRequest(string? MicoUserId, string? Region);

public sealed record AccountLookupResponse(bool Valid, string? Nickname = null, string? Region = null);
