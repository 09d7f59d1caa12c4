using System.Text.Json.Serialization;

namespace MicoPortal.Shared.Webhooks;

/// <summary>Where a webhook delivery to a shop stands (docs/api.md section 9).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WebhookDeliveryState>))]
public enum WebhookDeliveryState
{
    /// <summary>Written with the order's change; not yet answered with a 2xx, and still being tried.</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary>The shop answered 2xx.</summary>
    [JsonStringEnumMemberName("succeeded")] Succeeded,
    /// <summary>Every try failed for the whole retry window (at least 24 hours); an admin can resend it.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>The event types a shop is told about.</summary>
public static class WebhookEventTypes
{
    public const string OrderDelivered = "order.delivered";
    public const string OrderFailed = "order.failed";
    public const string OrderReversed = "order.reversed";
}

/// <summary>The headers of a webhook request.</summary>
public static class WebhookHeaders
{
    public const string EventId = "X-MicoPortal-Event-Id";
    public const string Timestamp = "X-MicoPortal-Timestamp";
    public const string Signature = "X-MicoPortal-Signature";
}

/// <summary>Body of <c>PUT /api/v1/admin/shops/{shop}/webhook</c>.</summary>
public sealed record SetShopWebhookRequest(string? Url);

/// <summary>Answer of the PUT: the secret is shown this once; a new PUT rotates it.</summary>
public sealed record ShopWebhookSecretDto(string Url, string Secret);

/// <summary>A shop's webhook endpoint as admins see it (never with its secret).</summary>
public sealed record ShopWebhookDto(
    string Shop,
    string Url,
    DateTimeOffset UpdatedAt,
    string UpdatedBy,
    int Pending,
    int Failed,
    bool CircuitOpen,
    DateTimeOffset? CircuitOpenUntil);

/// <summary>One item of <c>GET /api/v1/webhooks/deliveries</c>.</summary>
public sealed record WebhookDeliveryDto(
    long Id,
    string EventId,
    string Shop,
    long OrderId,
    string Type,
    WebhookDeliveryState State,
    int Attempts,
    int? LastStatus,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SucceededAt);

/// <summary>One try of a delivery: the shop's status code (none when the call failed), how long it took, and what went wrong.</summary>
public sealed record WebhookAttemptDto(DateTimeOffset At, int? StatusCode, int LatencyMs, string? Error);

/// <summary><c>GET /api/v1/webhooks/deliveries/{id}</c>: the delivery, every try, and the body sent.</summary>
public sealed record WebhookDeliveryDetailDto(WebhookDeliveryDto Delivery, IReadOnlyList<WebhookAttemptDto> Attempts, string Payload);

/// <summary>Answer of resending every failed delivery of a shop.</summary>
public sealed record WebhookResendResponse(int Queued);

/// <summary>An event the development receiver took (<c>GET /api/v1/webhooks/sandbox-inbox</c>).</summary>
public sealed record SandboxWebhookDto(string EventId, string Shop, string Type, long OrderId, bool SignatureValid, DateTimeOffset ReceivedAt, int Deliveries);
