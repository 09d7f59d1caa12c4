using System.Text;
using System.Text.RegularExpressions;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Data;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// Webhooks to shops (docs/api.md section 9): admins set and delete a shop's endpoint, read every delivery
/// and resend; a shop's API key reads its own deliveries. Operations staff have no use for them (and the
/// payloads are shops' business), so they get 403.
/// </summary>
public static partial class WebhooksApi
{
    /// <summary>An Admin (every shop) or a shop's API key (its own).</summary>
    public const string ReadPolicy = "WebhookRead";

    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapRoutes(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin/shops").WithTags("Webhooks").RequireAuthorization(Policies.Admin);
        admin.MapPut("/{shop}/webhook", Set);
        admin.MapDelete("/{shop}/webhook", Delete);
        admin.MapGet("/webhooks", ListWebhooks);

        var deliveries = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks");
        deliveries.MapGet("/deliveries", ListDeliveries).RequireAuthorization(ReadPolicy);
        deliveries.MapGet("/deliveries/{id:long}", GetDelivery).RequireAuthorization(ReadPolicy);
        deliveries.MapPost("/deliveries/{id:long}/resend", Resend).RequireAuthorization(Policies.Admin);
        deliveries.MapPost("/deliveries/resend-failed", ResendFailed).RequireAuthorization(Policies.Admin);
        deliveries.MapGet("/sandbox-inbox", SandboxInbox).RequireAuthorization(Policies.Admin);
        return app;
    }

    /// <summary>Sets (or replaces) the shop's endpoint with a new secret: every PUT rotates it, and the answer is the only time it is shown.</summary>
    public static async Task<Results<Ok<ShopWebhookSecretDto>, ValidationProblem>> Set(
        string shop, SetShopWebhookRequest? request, IDbContextFactory<PortalDbContext> dbFactory, WebhookSecrets secrets, IHostEnvironment environment,
        TimeProvider time, HttpContext http, AuditTrail audit, ILogger<ShopWebhook> logger, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (ShopProblem(shop) is { } shopProblem)
        {
            errors["shop"] = [shopProblem];
        }

        var url = request?.Url?.Trim();
        if (UrlProblem(url, environment.IsDevelopment()) is { } urlProblem)
        {
            errors["url"] = [urlProblem];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var secret = WebhookSecrets.New();
        var now = time.GetUtcNow();
        var actor = ActorName.Of(http);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var webhook = await db.ShopWebhooks.FirstOrDefaultAsync(w => w.Shop == shop, cancellationToken);
        if (webhook is null)
        {
            webhook = new ShopWebhook { Shop = shop, Url = url!, ProtectedSecret = "", CreatedAt = now, UpdatedBy = actor };
            db.ShopWebhooks.Add(webhook);
        }

        webhook.Url = url!;
        webhook.ProtectedSecret = secrets.Protect(secret);
        webhook.UpdatedAt = now;
        webhook.UpdatedBy = actor;
        audit.Add(db, actor, AuditActions.ShopWebhookSet, $"set the webhook of shop {shop} to {url} (new secret)");
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("{Actor} set the webhook of shop {Shop} to {Url}", actor, shop, url);
        return TypedResults.Ok(new ShopWebhookSecretDto(url!, secret));
    }

    /// <summary>Deletes the endpoint; the shop's events not yet delivered fail with the reason on each (an admin can resend them after a new PUT).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        string shop, IDbContextFactory<PortalDbContext> dbFactory, HttpContext http, AuditTrail audit, ILogger<ShopWebhook> logger, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var webhook = await db.ShopWebhooks.FirstOrDefaultAsync(w => w.Shop == shop, cancellationToken);
        if (webhook is null)
        {
            // Idempotent, as the contract answers it: the shop has no webhook either way.
            return TypedResults.NoContent();
        }

        var actor = ActorName.Of(http);
        db.ShopWebhooks.Remove(webhook);
        var failed = await db.WebhookDeliveries.Where(d => d.Shop == shop && d.State == WebhookDeliveryState.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, WebhookDeliveryState.Failed)
                .SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null)
                .SetProperty(d => d.LastError, WebhookSender.DeletedError), cancellationToken);
        audit.Add(db, actor, AuditActions.ShopWebhookDeleted, $"deleted the webhook of shop {shop} ({webhook.Url}); {failed} undelivered events failed");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("{Actor} deleted the webhook of shop {Shop}; {Failed} undelivered events failed", actor, shop, failed);
        return TypedResults.NoContent();
    }

    /// <summary>Every shop's endpoint with its undelivered and failed counts and this instance's view of its circuit.</summary>
    public static async Task<Ok<List<ShopWebhookDto>>> ListWebhooks(IDbContextFactory<PortalDbContext> dbFactory, ShopCircuits circuits, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var webhooks = await db.ShopWebhooks.AsNoTracking().OrderBy(w => w.Shop).ToListAsync(cancellationToken);
        var counts = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.State != WebhookDeliveryState.Succeeded)
            .GroupBy(d => new { d.Shop, d.State })
            .Select(g => new { g.Key.Shop, g.Key.State, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(webhooks.Select(w =>
        {
            var (open, until) = circuits.StateOf(w.Shop);
            return new ShopWebhookDto(w.Shop, w.Url, w.UpdatedAt, w.UpdatedBy,
                counts.Where(c => c.Shop == w.Shop && c.State == WebhookDeliveryState.Pending).Sum(c => c.Count),
                counts.Where(c => c.Shop == w.Shop && c.State == WebhookDeliveryState.Failed).Sum(c => c.Count),
                open, open ? until : null);
        }).ToList());
    }

    /// <summary>Newest first. A shop's key sees its own shop's deliveries only, whatever <paramref name="shop"/> says.</summary>
    public static async Task<Results<Ok<PagedResult<WebhookDeliveryDto>>, ValidationProblem>> ListDeliveries(
        string? shop, long? orderId, string? state, int? page, int? pageSize, IDbContextFactory<PortalDbContext> dbFactory, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (!Paging.TryRead(page, pageSize, 50, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        WebhookDeliveryState? wanted = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            if (!Enum.TryParse<WebhookDeliveryState>(state.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(state, out _))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["state"] = ["state is one of pending, succeeded, failed."] });
            }

            wanted = parsed;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = Scope(db.WebhookDeliveries.AsNoTracking(), http);
        if (shop?.Trim() is { Length: > 0 } named)
        {
            query = query.Where(d => d.Shop == named);
        }

        if (orderId is { } id)
        {
            query = query.Where(d => d.OrderId == id);
        }

        if (wanted is { } s)
        {
            query = query.Where(d => d.State == s);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(d => d.Id).Skip(paging.Skip).Take(paging.Size)
            .Select(d => new WebhookDeliveryDto(d.Id, d.EventId, d.Shop, d.OrderId, d.Type, d.State, d.Attempts, d.LastStatus, d.LastError, d.NextAttemptAt, d.CreatedAt, d.SucceededAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new PagedResult<WebhookDeliveryDto>(rows, total, paging.Number, paging.Size));
    }

    /// <summary>One delivery with every try and its body as sent (with <c>sentAt</c> of the last try, or of the event when none was made yet).</summary>
    public static async Task<Results<Ok<WebhookDeliveryDetailDto>, ProblemHttpResult>> GetDelivery(
        long id, IDbContextFactory<PortalDbContext> dbFactory, HttpContext http, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await Scope(db.WebhookDeliveries.AsNoTracking(), http).FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null)
        {
            return DeliveryNotFound(id);
        }

        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == id).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        var sentAt = attempts.Count > 0 ? attempts[^1].At : delivery.CreatedAt;
        return TypedResults.Ok(new WebhookDeliveryDetailDto(delivery.ToDto(), [.. attempts.Select(a => a.ToDto())],
            Encoding.UTF8.GetString(WebhookSender.Body(delivery, sentAt))));
    }

    /// <summary>Back to pending and due now, its tries kept; a delivered event goes again with the same eventId (the shop de-duplicates).</summary>
    public static async Task<Results<Accepted, ProblemHttpResult>> Resend(
        long id, IDbContextFactory<PortalDbContext> dbFactory, ShopCircuits circuits, TimeProvider time, HttpContext http, AuditTrail audit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var delivery = await db.WebhookDeliveries.FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (delivery is null)
        {
            return DeliveryNotFound(id);
        }

        // Events of one order arrive in the order they happened: one never delivered cannot go after a later event of its
        // order that was delivered (or is being sent). A delivered one may go again: the shop de-duplicates by eventId.
        if (delivery.State != WebhookDeliveryState.Succeeded && await db.WebhookDeliveries.AnyAsync(LaterEventOut(delivery.OrderId, delivery.Id, now), cancellationToken))
        {
            return Problems.Of(StatusCodes.Status409Conflict, ErrorCodes.InvalidState, "A later event of this order has gone out.",
                $"Delivery {id} ({delivery.Type}) was never delivered, and a later event of order {delivery.OrderId} was (or is being) sent; sending this one now would arrive out of order. The later event carries the order as it is now.");
        }

        var actor = ActorName.Of(http);
        var was = delivery.State;
        delivery.State = WebhookDeliveryState.Pending;
        delivery.NextAttemptAt = now;
        delivery.RetryFrom = now;
        delivery.SucceededAt = null;
        audit.Add(db, actor, AuditActions.WebhookResent,
            $"resent webhook delivery {delivery.Id} ({delivery.Type}, event {delivery.EventId}) of shop {delivery.Shop}, {was.ToString().ToLowerInvariant()} before", delivery.OrderId);
        await db.SaveChangesAsync(cancellationToken);
        circuits.Close(delivery.Shop); // the admin says the shop is reachable again: try now, not after the cool-down
        return TypedResults.Accepted($"/api/v1/webhooks/deliveries/{id}");
    }

    /// <summary>A later event of the order that was delivered or is being sent right now.</summary>
    private static System.Linq.Expressions.Expression<Func<WebhookDelivery, bool>> LaterEventOut(long orderId, long id, DateTimeOffset now) =>
        e => e.OrderId == orderId && e.Id > id
            && (e.State == WebhookDeliveryState.Succeeded || (e.State == WebhookDeliveryState.Pending && e.LeaseUntil != null && e.LeaseUntil > now));

    /// <summary>Every failed delivery (of <paramref name="shop"/>, or of all shops) back to pending, due now.</summary>
    public static async Task<Results<Accepted<WebhookResendResponse>, ValidationProblem>> ResendFailed(
        string? shop, IDbContextFactory<PortalDbContext> dbFactory, ShopCircuits circuits, TimeProvider time, HttpContext http, AuditTrail audit, CancellationToken cancellationToken)
    {
        var named = string.IsNullOrWhiteSpace(shop) ? null : shop.Trim();
        if (named is not null && ShopProblem(named) is { } problem)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["shop"] = [problem] });
        }

        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Not an event a later event of its order already overtook (see Resend).
        var queued = await db.WebhookDeliveries
            .Where(d => d.State == WebhookDeliveryState.Failed && (named == null || d.Shop == named)
                && !db.WebhookDeliveries.Any(e => e.OrderId == d.OrderId && e.Id > d.Id
                    && (e.State == WebhookDeliveryState.Succeeded || (e.State == WebhookDeliveryState.Pending && e.LeaseUntil != null && e.LeaseUntil > now))))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.State, WebhookDeliveryState.Pending).SetProperty(d => d.NextAttemptAt, now).SetProperty(d => d.RetryFrom, now), cancellationToken);
        audit.Add(db, ActorName.Of(http), AuditActions.WebhookResent, $"resent {queued} failed webhook deliveries of {(named is null ? "every shop" : "shop " + named)}");
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        circuits.Close(named);
        return TypedResults.Accepted("/api/v1/webhooks/deliveries?state=pending", new WebhookResendResponse(queued));
    }

    /// <summary>What the development receiver took, newest first (empty unless the sandbox is enabled).</summary>
    public static Results<Ok<PagedResult<SandboxWebhookDto>>, ValidationProblem> SandboxInbox(string? shop, int? page, int? pageSize, SandboxWebhookReceiver receiver)
    {
        if (!Paging.TryRead(page, pageSize, 50, MaxPageSize, out var paging, out var pagingProblem))
        {
            return pagingProblem;
        }

        var (items, total) = receiver.List(string.IsNullOrWhiteSpace(shop) ? null : shop.Trim(), paging.Skip, paging.Size);
        return TypedResults.Ok(new PagedResult<SandboxWebhookDto>(items, total, paging.Number, paging.Size));
    }

    /// <summary>The shop name rule of API keys; <c>portal</c> (operators' own orders) has no endpoint.</summary>
    public static string? ShopProblem(string? shop) =>
        shop is null || !ShopName().IsMatch(shop) ? "A shop is 1 to 64 letters, digits, '.', '_' or '-'."
        : shop == ShopScope.Portal ? $"'{ShopScope.Portal}' is the operators' own orders, not a shop with an endpoint."
        : null;

    /// <summary>
    /// An absolute http(s) address. Plain http only to this machine (loopback) or in Development: the events carry
    /// customers' orders, and the signature proves who sent them, not that nobody else read them.
    /// </summary>
    public static string? UrlProblem(string? url, bool development)
    {
        if (string.IsNullOrEmpty(url) || url.Length > ShopWebhook.MaxUrl || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return $"An absolute http(s) address of at most {ShopWebhook.MaxUrl} characters, without user info or fragment.";
        }

        return uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback && !development
            ? "Use https; plain http is accepted only for a loopback address (or in Development)."
            : null;
    }

    private static IQueryable<WebhookDelivery> Scope(IQueryable<WebhookDelivery> query, HttpContext http) =>
        ShopScope.Of(http) is { } own ? query.Where(d => d.Shop == own) : query;

    private static ProblemHttpResult DeliveryNotFound(long id) =>
        Problems.NotFound(ErrorCodes.WebhookDeliveryNotFound, $"Webhook delivery {id}");

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,64}\z")]
    private static partial Regex ShopName();
}
