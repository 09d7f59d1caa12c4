using MicoPortal.Shared.Common;
using MicoPortal.Shared.Notifications;

namespace MicoPortal.Client.Services;

/// <summary><see cref="INotificationsApi"/> over the portal's <see cref="HttpClient"/>.</summary>
public sealed class NotificationsApi(HttpClient http) : INotificationsApi
{
    public Task<PagedResult<NotificationDto>> GetNotificationsAsync(long? orderId, NotificationStatus? status, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var query = new List<string>();
        if (orderId is { } id)
        {
            query.Add($"orderId={id}");
        }

        if (status is { } s)
        {
            query.Add($"status={s}");
        }

        query.Add($"page={page}");
        query.Add($"pageSize={pageSize}");
        return http.GetRequiredAsync<PagedResult<NotificationDto>>($"api/v1/notifications?{string.Join('&', query)}", cancellationToken);
    }

    public Task<PagedResult<SandboxSmsDto>> GetSandboxInboxAsync(string? to, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        var filter = string.IsNullOrWhiteSpace(to) ? "" : $"to={Uri.EscapeDataString(to.Trim())}&";
        return http.GetRequiredAsync<PagedResult<SandboxSmsDto>>($"api/v1/notifications/sandbox-inbox?{filter}page={page}&pageSize={pageSize}", cancellationToken);
    }
}
