using System.Globalization;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Webhooks;

namespace MicoPortal.Client.Services;

/// <summary><see cref="IWebhooksApi"/> over the portal's <see cref="HttpClient"/>.</summary>
public sealed class WebhooksApi(HttpClient http) : IWebhooksApi
{
    public async Task<IReadOnlyList<ShopWebhookDto>> GetEndpointsAsync(CancellationToken cancellationToken = default) =>
        await http.GetRequiredAsync<List<ShopWebhookDto>>("api/v1/admin/shops/webhooks", cancellationToken);

    public Task<PortalActionResult<ShopWebhookSecretDto>> SetEndpointAsync(string shop, string url, CancellationToken cancellationToken = default) =>
        http.SendForValueAsync<ShopWebhookSecretDto>(HttpMethod.Put, EndpointOf(shop), new SetShopWebhookRequest(url),
            $"Webhook endpoint of {shop} set; copy its new secret now.", cancellationToken);

    public Task<PortalActionResult> DeleteEndpointAsync(string shop, CancellationToken cancellationToken = default) =>
        http.SendActionAsync(EndpointOf(shop), $"Webhook endpoint of {shop} deleted.", cancellationToken, HttpMethod.Delete);

    public Task<PagedResult<WebhookDeliveryDto>> GetDeliveriesAsync(WebhookDeliveryQuery query, CancellationToken cancellationToken = default)
    {
        var parts = new List<string>();
        if (!string.IsNullOrWhiteSpace(query.Shop))
        {
            parts.Add($"shop={Uri.EscapeDataString(query.Shop.Trim())}");
        }

        if (query.OrderId is { } orderId)
        {
            parts.Add($"orderId={orderId.ToString(CultureInfo.InvariantCulture)}");
        }

        if (query.State is { } state)
        {
            parts.Add($"state={StateName(state)}");
        }

        parts.Add($"page={query.Page.ToString(CultureInfo.InvariantCulture)}");
        parts.Add($"pageSize={query.PageSize.ToString(CultureInfo.InvariantCulture)}");
        return http.GetRequiredAsync<PagedResult<WebhookDeliveryDto>>($"api/v1/webhooks/deliveries?{string.Join('&', parts)}", cancellationToken);
    }

    public Task<WebhookDeliveryDetailDto> GetDeliveryAsync(long id, CancellationToken cancellationToken = default) =>
        http.GetRequiredAsync<WebhookDeliveryDetailDto>($"api/v1/webhooks/deliveries/{id}", cancellationToken);

    public Task<PortalActionResult> ResendAsync(long id, CancellationToken cancellationToken = default) =>
        http.SendActionAsync($"api/v1/webhooks/deliveries/{id}/resend", $"Delivery {id} queued to be sent again.", cancellationToken);

    public Task<PortalActionResult<WebhookResendResponse>> ResendFailedAsync(string shop, CancellationToken cancellationToken = default) =>
        http.SendForValueAsync<WebhookResendResponse>(HttpMethod.Post, $"api/v1/webhooks/deliveries/resend-failed?shop={Uri.EscapeDataString(shop)}",
            (HttpContent?)null, $"Failed deliveries of {shop} queued to be sent again.", cancellationToken);

    /// <summary>The newest page of what the development receiver took (the server answers a page, newest first).</summary>
    public async Task<IReadOnlyList<SandboxWebhookDto>> GetSandboxInboxAsync(CancellationToken cancellationToken = default) =>
        (await http.GetRequiredAsync<PagedResult<SandboxWebhookDto>>("api/v1/webhooks/sandbox-inbox?pageSize=50", cancellationToken)).Items;

    /// <summary>The word the contract uses for a state (<c>pending</c>, <c>succeeded</c>, <c>failed</c>).</summary>
    public static string StateName(WebhookDeliveryState state) => state.ToString().ToLowerInvariant();

    // Shop names come from API keys; escape them so any name still names one route.
    private static string EndpointOf(string shop) => $"api/v1/admin/shops/{Uri.EscapeDataString(shop)}/webhook";
}
