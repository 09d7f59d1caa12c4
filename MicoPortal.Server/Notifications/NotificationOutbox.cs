using MicoPortal.Server.Orders;
using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Server.Notifications;

/// <summary>
/// Decides which status changes the customer hears about and words the message. Called by
/// <see cref="Verification.OrderTransitions"/> for every saved transition, inside its transaction.
/// </summary>
public static class NotificationOutbox
{
    /// <summary>Outcomes a customer is told about: the coins arrived, did not arrive, or were taken back.</summary>
    public static bool Announces(OrderStatus from, OrderStatus to) =>
        from != to && to is OrderStatus.Delivered or OrderStatus.Failed or OrderStatus.Reversed;

    /// <summary>The notification of <paramref name="order"/>'s new status, to be saved with the change; null when the customer is not told.</summary>
    public static CustomerNotification? For(Order order, OrderStatus from, DateTimeOffset now)
    {
        if (!Announces(from, order.Status))
        {
            return null;
        }

        var notification = new CustomerNotification
        {
            OrderId = order.Id,
            DeliveryAttemptNo = order.AttemptNo,
            OrderStatus = order.Status,
            Channel = NotificationChannels.Sms,
            To = order.CustomerPhone ?? "",
            Text = Text(order),
            Status = order.CustomerPhone is null ? NotificationStatus.Skipped : NotificationStatus.Pending,
            Error = order.CustomerPhone is null ? "The shop sent no customerPhone for this order." : null,
            CreatedAt = now,
            NextTryAt = now,
        };
        return notification;
    }

    /// <summary>Short enough for one SMS segment in most cases; names the account so the customer knows which top-up it is.</summary>
    public static string Text(Order order) => order.Status switch
    {
        OrderStatus.Delivered =>
            $"Your {order.Coins:N0} MICO coins for account {order.MicoUserId} have arrived (order {order.ExternalId}).",
        OrderStatus.Failed =>
            $"We could not deliver {order.Coins:N0} MICO coins to account {order.MicoUserId} (order {order.ExternalId}). Your shop will retry or refund you.",
        OrderStatus.Reversed =>
            $"The {order.Coins:N0} MICO coins delivered to account {order.MicoUserId} were reversed by the provider (order {order.ExternalId}). Your shop will contact you.",
        _ => throw new ArgumentOutOfRangeException(nameof(order), order.Status, "Only final outcomes are announced."),
    };
}
