using MicoPortal.Shared.Common;
using MicoPortal.Shared.Webhooks;

namespace MicoPortal.Client.Services;

/// <summary>
/// Webhooks to shops (docs/api.md section 9): each shop's endpoint, and the outbox of deliveries to it. Admin only.
/// Read calls throw <see cref="PortalApiException"/>; actions answer a <see cref="PortalActionResult"/>.
/// </summary>
public interface IWebhooksApi
{
    /// <summary><c>GET /api/v1/admin/shops/webhooks</c>: every shop's endpoint with its pending and failed counts.</summary>
    Task<IReadOnlyList<ShopWebhookDto>> GetEndpointsAsync(CancellationToken cancellationToken = default);

    /// <summary><c>PUT /api/v1/admin/shops/{shop}/webhook {url}</c>: sets the endpoint and answers a new secret, shown this once.</summary>
    Task<PortalActionResult<ShopWebhookSecretDto>> SetEndpointAsync(string shop, string url, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /api/v1/admin/shops/{shop}/webhook</c>.</summary>
    Task<PortalActionResult> DeleteEndpointAsync(string shop, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/webhooks/deliveries?shop=&amp;orderId=&amp;state=&amp;page=&amp;pageSize=</c>, newest first.</summary>
    Task<PagedResult<WebhookDeliveryDto>> GetDeliveriesAsync(WebhookDeliveryQuery query, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/webhooks/deliveries/{id}</c>: every try and the body sent.</summary>
    Task<WebhookDeliveryDetailDto> GetDeliveryAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/webhooks/deliveries/{id}/resend</c> answering <c>202</c>.</summary>
    Task<PortalActionResult> ResendAsync(long id, CancellationToken cancellationToken = default);

    /// <summary><c>POST /api/v1/webhooks/deliveries/resend-failed?shop=</c> answering <c>202 {queued}</c>.</summary>
    Task<PortalActionResult<WebhookResendResponse>> ResendFailedAsync(string shop, CancellationToken cancellationToken = default);

    /// <summary><c>GET /api/v1/webhooks/sandbox-inbox</c> (development only): what the built-in receiver took.</summary>
    Task<IReadOnlyList<SandboxWebhookDto>> GetSandboxInboxAsync(CancellationToken cancellationToken = default);
}

/// <summary>Filters of the deliveries list; <c>null</c> means any.</summary>
public sealed record WebhookDeliveryQuery(string? Shop = null, long? OrderId = null, WebhookDeliveryState? State = null, int Page = 1, int PageSize = 25);
