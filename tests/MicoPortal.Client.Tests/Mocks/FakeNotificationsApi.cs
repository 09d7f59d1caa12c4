using MicoPortal.Client.Services;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Notifications;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="INotificationsApi"/> over in-memory notifications and inbox messages, recording the filters asked for.</summary>
public sealed class FakeNotificationsApi : INotificationsApi
{
    public List<NotificationDto> Notifications { get; } = [];
    public List<SandboxSmsDto> Inbox { get; } = [];
    public Exception? Error { get; set; }
    public List<(long? OrderId, NotificationStatus? Status, int Page)> Requests { get; } = [];

    public Task<PagedResult<NotificationDto>> GetNotificationsAsync(long? orderId, NotificationStatus? status, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        Requests.Add((orderId, status, page));
        if (Error is not null)
        {
            return Task.FromException<PagedResult<NotificationDto>>(Error);
        }

        var matching = Notifications
            .Where(n => orderId is null || n.OrderId == orderId)
            .Where(n => status is null || n.Status == status)
            .OrderByDescending(n => n.Id)
            .ToList();
        return Task.FromResult(new PagedResult<NotificationDto>([.. matching.Skip((page - 1) * pageSize).Take(pageSize)], matching.Count, page, pageSize));
    }

    public Task<PagedResult<SandboxSmsDto>> GetSandboxInboxAsync(string? to, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var matching = Inbox.Where(m => string.IsNullOrWhiteSpace(to) || m.To == to.Trim()).ToList();
        return Task.FromResult(new PagedResult<SandboxSmsDto>([.. matching.Take(pageSize)], matching.Count, page, pageSize));
    }
}
