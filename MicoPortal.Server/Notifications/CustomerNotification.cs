using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Notifications;

/// <summary>
/// One message to a customer about their order, in the outbox. The row is written in the same
/// transaction as the status change it announces (<see cref="NotificationOutbox"/>), so a crash
/// can lose neither: after a restart the <see cref="NotificationSender"/> finds it Pending and sends it.
/// The row's id is the gateway's idempotency key, so a send retried after a crash in mid-call is
/// recognised by a gateway that honours keys (the sandbox sink does).
/// </summary>
public sealed class CustomerNotification
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    /// <summary>The delivery attempt whose outcome this announces (a retried order can end twice).</summary>
    public int DeliveryAttemptNo { get; set; }
    /// <summary>The status it announces: Delivered, Failed or Reversed.</summary>
    public OrderStatus OrderStatus { get; set; }
    public required string Channel { get; set; }
    /// <summary>The customer's phone (E.164); empty when the shop sent none (then <see cref="NotificationStatus.Skipped"/>).</summary>
    public required string To { get; set; }
    public required string Text { get; set; }
    public NotificationStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    /// <summary>Sends tried so far, successful or not.</summary>
    public int Tries { get; set; }
    public DateTimeOffset NextTryAt { get; set; }
    /// <summary>Held by one sender (one server instance) until then; a crashed sender's rows come free when it passes.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public Guid? LeaseToken { get; set; }
    public string? GatewayMessageId { get; set; }
    public string? Error { get; set; }

    public NotificationDto ToDto() => new(Id, OrderId, Channel, To, Text, Status, SentAt, OrderStatus.ToString(), CreatedAt, Tries, GatewayMessageId, Error);
}
