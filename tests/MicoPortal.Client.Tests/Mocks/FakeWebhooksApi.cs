using MicoPortal.Client.Services;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Webhooks;

namespace MicoPortal.Client.Tests.Mocks;

/// <summary>An <see cref="IWebhooksApi"/> over in-memory endpoints and deliveries, acting like the server and recording every call.</summary>
public sealed class FakeWebhooksApi : IWebhooksApi
{
    public List<ShopWebhookDto> Endpoints { get; } = [];
    public List<WebhookDeliveryDto> Deliveries { get; } = [];
    public Dictionary<long, WebhookDeliveryDetailDto> Details { get; } = [];
    /// <summary><c>null</c>: the route does not answer (not development).</summary>
    public List<SandboxWebhookDto>? SandboxInbox { get; set; }
    public Exception? EndpointsError { get; set; }
    public Exception? DeliveriesError { get; set; }

    public List<WebhookDeliveryQuery> Queries { get; } = [];
    public List<(string Shop, string Url)> SetCalls { get; } = [];
    public List<string> DeleteCalls { get; } = [];
    public List<long> ResendCalls { get; } = [];
    public List<string> ResendFailedCalls { get; } = [];
    public int EndpointLoads { get; private set; }
    private int _secrets;

    public Task<IReadOnlyList<ShopWebhookDto>> GetEndpointsAsync(CancellationToken cancellationToken = default)
    {
        EndpointLoads++;
        return EndpointsError is null
            ? Task.FromResult<IReadOnlyList<ShopWebhookDto>>([.. Endpoints])
            : Task.FromException<IReadOnlyList<ShopWebhookDto>>(EndpointsError);
    }

    public Task<PortalActionResult<ShopWebhookSecretDto>> SetEndpointAsync(string shop, string url, CancellationToken cancellationToken = default)
    {
        SetCalls.Add((shop, url));
        Endpoints.RemoveAll(e => e.Shop == shop);
        Endpoints.Add(new ShopWebhookDto(shop, url, TestData.Now, TestData.Admin.Email, 0, 0, false, null));
        var secret = $"whsec_test_{++_secrets}";
        return Task.FromResult(new PortalActionResult<ShopWebhookSecretDto>(true, $"Webhook endpoint of {shop} set.", new ShopWebhookSecretDto(url, secret), 200));
    }

    public Task<PortalActionResult> DeleteEndpointAsync(string shop, CancellationToken cancellationToken = default)
    {
        DeleteCalls.Add(shop);
        Endpoints.RemoveAll(e => e.Shop == shop);
        return Task.FromResult(new PortalActionResult(true, $"Webhook endpoint of {shop} deleted.", 204));
    }

    public Task<PagedResult<WebhookDeliveryDto>> GetDeliveriesAsync(WebhookDeliveryQuery query, CancellationToken cancellationToken = default)
    {
        Queries.Add(query);
        if (DeliveriesError is not null)
        {
            return Task.FromException<PagedResult<WebhookDeliveryDto>>(DeliveriesError);
        }

        var matching = Deliveries
            .Where(d => query.Shop is null || d.Shop == query.Shop)
            .Where(d => query.OrderId is null || d.OrderId == query.OrderId)
            .Where(d => query.State is null || d.State == query.State)
            .OrderByDescending(d => d.Id)
            .ToList();
        return Task.FromResult(new PagedResult<WebhookDeliveryDto>(
            [.. matching.Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)], matching.Count, query.Page, query.PageSize));
    }

    public Task<WebhookDeliveryDetailDto> GetDeliveryAsync(long id, CancellationToken cancellationToken = default) =>
        Details.TryGetValue(id, out var detail)
            ? Task.FromResult(detail)
            : Task.FromException<WebhookDeliveryDetailDto>(new PortalApiException("Not found.", 404));

    /// <summary>A resend puts the delivery back to pending, as the server does.</summary>
    public Task<PortalActionResult> ResendAsync(long id, CancellationToken cancellationToken = default)
    {
        ResendCalls.Add(id);
        Update(d => d.Id == id);
        return Task.FromResult(new PortalActionResult(true, $"Delivery {id} queued to be sent again.", 202));
    }

    public Task<PortalActionResult<WebhookResendResponse>> ResendFailedAsync(string shop, CancellationToken cancellationToken = default)
    {
        ResendFailedCalls.Add(shop);
        var queued = Update(d => d.Shop == shop && d.State == WebhookDeliveryState.Failed);
        return Task.FromResult(new PortalActionResult<WebhookResendResponse>(true, "queued", new WebhookResendResponse(queued), 202));
    }

    public Task<IReadOnlyList<SandboxWebhookDto>> GetSandboxInboxAsync(CancellationToken cancellationToken = default) =>
        SandboxInbox is null
            ? Task.FromException<IReadOnlyList<SandboxWebhookDto>>(new PortalApiException("Not found.", 404))
            : Task.FromResult<IReadOnlyList<SandboxWebhookDto>>([.. SandboxInbox]);

    private int Update(Func<WebhookDeliveryDto, bool> which)
    {
        var count = 0;
        for (var i = 0; i < Deliveries.Count; i++)
        {
            if (which(Deliveries[i]))
            {
                Deliveries[i] = Deliveries[i] with { State = WebhookDeliveryState.Pending, NextAttemptAt = TestData.Now };
                count++;
            }
        }

        return count;
    }

    public static WebhookDeliveryDto Delivery(long id, string shop = "coins-store", long orderId = 42, WebhookDeliveryState state = WebhookDeliveryState.Succeeded,
        int attempts = 1, int? lastStatus = 200, string? lastError = null, string type = WebhookEventTypes.OrderDelivered) =>
        new(id, $"evt-{id}", shop, orderId, type, state, attempts, lastStatus, lastError,
            state == WebhookDeliveryState.Pending ? TestData.Now.AddMinutes(1) : null, TestData.Now.AddMinutes(-id),
            state == WebhookDeliveryState.Succeeded ? TestData.Now : null);
}
