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

/// <summary>A row in order lists: everything but the attempt history.</summary>
public sealed record OrderSummaryDto(
    long Id,
    string ExternalId,
    string MicoUserId,
    string Region,
    string Sku,
    int Coins,
    string Amount,
    string Currency,
    OrderStatus Status,
    bool Stuck,
    bool Disputed,
    int AttemptNo,
    string? ReasonCode,
    string? ReasonMessage,
    int ConfirmationCount,
    DateTimeOffset ReceivedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? CompletedAt,
    long? LatencyMs,
    string? Provider = null);

/// <summary>The whole order: <c>GET /api/v1/orders/{id}</c>.</summary>
public sealed record OrderDto(
    long Id,
    string ExternalId,
    string MicoUserId,
    string Region,
    string Sku,
    int Coins,
    string Amount,
    string Currency,
    OrderStatus Status,
    bool Stuck,
    bool Disputed,
    int AttemptNo,
    string ClientRef,
    string? ProviderRef,
    string? ProviderStatus,
    string? ReasonCode,
    string? ReasonMessage,
    ProofDto? Proof,
    IReadOnlyList<ConfirmationDto> Confirmations,
    IReadOnlyList<AttemptDto> Attempts,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? SubmittedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextCheckAt,
    long? LatencyMs,
    string? CustomerPhone = null,
    string? Provider = null,
    IReadOnlyList<OrderNoteDto>? Notes = null,
    IReadOnlyList<OrderResolutionDto>? Resolutions = null,
    DateTimeOffset? LateDeliveryWatchUntil = null);

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
