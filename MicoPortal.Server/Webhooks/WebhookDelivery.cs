using MicoPortal.Shared.Webhooks;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// One event for a shop, in the webhook outbox. Written in the same transaction as the order's status change
/// (so a crash loses neither), with the order as it was at that moment; sent by the webhook sender, at least
/// once, in order per order. <see cref="EventId"/> stays the same over every try, so the shop de-duplicates.
/// </summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public required string EventId { get; set; }
    public required string Shop { get; set; }
    public long OrderId { get; set; }
    /// <summary><see cref="WebhookEventTypes"/>.</summary>
    public required string Type { get; set; }
    /// <summary>The order as <c>GET /api/v1/orders/{id}</c> answered it when the change was saved (JSON).</summary>
    public required string OrderJson { get; set; }
    public WebhookDeliveryState State { get; set; }
    /// <summary>Tries so far.</summary>
    public int Attempts { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
    /// <summary>When it is due next; null once it succeeded or failed for good.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>When an admin last resent it: the retry window runs from here instead of <see cref="CreatedAt"/>.</summary>
    public DateTimeOffset? RetryFrom { get; set; }
    public DateTimeOffset? SucceededAt { get; set; }
    /// <summary>Held by one sender (one instance) until then; a crashed sender's rows come free when it passes.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public Guid? LeaseToken { get; set; }

    public WebhookDeliveryDto ToDto() =>
        new(Id, EventId, Shop, OrderId, Type, State, Attempts, LastStatus, LastError, NextAttemptAt, CreatedAt, SucceededAt);
}

/// <summary>One try of a <see cref="WebhookDelivery"/>: the delivery log an admin reads.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The shop's HTTP status; null when no answer came (timeout, refused connection).</summary>
    public int? StatusCode { get; set; }
    public int LatencyMs { get; set; }
    public string? Error { get; set; }

    public WebhookAttemptDto ToDto() => new(At, StatusCode, LatencyMs, Error);
}
