using MicoPortal.Shared.Common;
using MicoPortal.Shared.Notifications;

namespace MicoPortal.Client.Services;

/// <summary>Customer notifications (the outbox) and the sandbox SMS sink's inbox. Admin only.</summary>
public interface INotificationsApi
{
    /// <summary><c>GET /api/v1/notifications</c>, newest first, optionally for one order and/or one status.</summary>
    Task<PagedResult<NotificationDto>> GetNotificationsAsync(long? orderId, NotificationStatus? status, int page, int pageSize, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/notifications/sandbox-inbox</c>: what the sandbox SMS sink received, optionally only to one number.</summary>
    Task<PagedResult<SandboxSmsDto>> GetSandboxInboxAsync(string? to, int page, int pageSize, CancellationToken cancellationToken = default);
}
