using MicoPortal.Server.Auth;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Notifications;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Notifications;

/// <summary>
/// <c>GET /api/v1/notifications?orderId=</c> (docs/api.md section 7) and the sandbox sink's inbox. Admin
/// only: the items carry customers' phone numbers.
/// </summary>
public static class NotificationsApi
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapNotificationsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/notifications").WithTags("Notifications").RequireAuthorization(Policies.Admin);
        group.MapGet("/", List);
        group.MapGet("/sandbox-inbox", SandboxInbox);
        return app;
    }

    /// <summary>Newest first; <paramref name="status"/> is one of <see cref="NotificationStatus"/>'s names.</summary>
    public static async Task<Results<Ok<PagedResult<NotificationDto>>, ValidationProblem>> List(
        long? orderId, string? status, int? page, int? pageSize, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(page, pageSize, 50, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        NotificationStatus? wanted = null;
        if (!string.IsNullOrWhiteSpace(status))
        {
            if (!Enum.TryParse<NotificationStatus>(status.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["status"] = [$"status is one of {string.Join(", ", Enum.GetNames<NotificationStatus>())}."] });
            }

            wanted = parsed;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.CustomerNotifications.AsNoTracking();
        if (orderId is { } id)
        {
            query = query.Where(n => n.OrderId == id);
        }

        if (wanted is { } s)
        {
            query = query.Where(n => n.Status == s);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(n => n.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResult<NotificationDto>([.. rows.Select(n => n.ToDto())], total, paging.Number, paging.Size));
    }

    /// <summary>
    /// What the sandbox SMS sink received, newest first (empty where another gateway is configured); with
    /// <paramref name="to"/>, only the messages to that number (with live traffic, one customer's message
    /// leaves the newest page within seconds).
    /// </summary>
    public static async Task<Results<Ok<PagedResult<SandboxSmsDto>>, ValidationProblem>> SandboxInbox(
        string? to, int? page, int? pageSize, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(page, pageSize, 50, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.SandboxSmsMessages.AsNoTracking();
        if (to?.Trim() is { Length: > 0 } number)
        {
            query = query.Where(m => m.To == number);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(m => m.Id).Skip(paging.Skip).Take(paging.Size).ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResult<SandboxSmsDto>([.. rows.Select(m => new SandboxSmsDto(m.MessageId, m.To, m.Text, m.ReceivedAt, m.Deliveries))], total, paging.Number, paging.Size));
    }
}
