using System.Text.Json.Serialization;

namespace MicoPortal.Shared.Notifications;

/// <summary>Where a customer notification is in the outbox.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NotificationStatus>))]
public enum NotificationStatus
{
    /// <summary>Written with the order's status change, not yet accepted by the gateway.</summary>
    Pending,
    /// <summary>The gateway accepted it.</summary>
    Sent,
    /// <summary>The gateway refused it for good (invalid number, blocked) or every try failed.</summary>
    Failed,
    /// <summary>Nothing to send it to: the shop gave no phone number for the order.</summary>
    Skipped,
}

/// <summary>The channels customer notifications go through.</summary>
public static class NotificationChannels
{
    public const string Sms = "sms";
}

/// <summary>One item of <c>GET /api/v1/notifications?orderId=</c> (docs/api.md section 7), plus the outbox's own facts.</summary>
public sealed record NotificationDto(
    long Id,
    long OrderId,
    string Channel,
    string To,
    string Text,
    NotificationStatus Status,
    DateTimeOffset? SentAt,
    string OrderStatus,
    DateTimeOffset CreatedAt,
    int Tries,
    string? GatewayMessageId,
    string? Error);

/// <summary>A message the sandbox SMS sink received (<c>GET /api/v1/notifications/sandbox-inbox</c>).</summary>
public sealed record SandboxSmsDto(string MessageId, string To, string Text, DateTimeOffset ReceivedAt, int Deliveries);
