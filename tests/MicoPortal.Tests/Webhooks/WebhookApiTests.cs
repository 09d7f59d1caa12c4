using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using MicoPortal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Webhooks;

/// <summary>The webhook API of docs/api.md section 9: who may do what, what a shop's key sees, problem details, the development receiver.</summary>
public sealed class WebhookApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PortalFactory _factory = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Webhooks:Backoff:0"] = "00:00:00.200" }, output);
        (_admin, _) = await _factory.SignInAsync(PortalClient.Admin);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Operations_staff_get_403_and_bad_input_is_a_validation_problem()
    {
        var (operations, _) = await _factory.SignInAsync(PortalClient.Operations);
        var refused = new[]
        {
            await operations.PutAsJsonAsync("/api/v1/admin/shops/dev-shop/webhook", new SetShopWebhookRequest("https://shop.example/hooks")),
            await operations.DeleteAsync("/api/v1/admin/shops/dev-shop/webhook"),
            await operations.GetAsync("/api/v1/admin/shops/webhooks"),
            await operations.GetAsync("/api/v1/webhooks/deliveries"),
            await operations.GetAsync("/api/v1/webhooks/deliveries/1"),
            await operations.PostAsync("/api/v1/webhooks/deliveries/1/resend", null),
            await operations.PostAsync("/api/v1/webhooks/deliveries/resend-failed", null),
            await operations.GetAsync("/api/v1/webhooks/sandbox-inbox"),
        };
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync("/api/v1/webhooks/deliveries")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.ShopClient().PutAsJsonAsync("/api/v1/admin/shops/dev-shop/webhook", new SetShopWebhookRequest("https://a.example"))).StatusCode);

        await AssertValidationAsync(await _admin.PutAsJsonAsync("/api/v1/admin/shops/dev-shop/webhook", new SetShopWebhookRequest("ftp://shop.example/hooks")), "url");
        await AssertValidationAsync(await _admin.PutAsJsonAsync("/api/v1/admin/shops/dev-shop/webhook", new SetShopWebhookRequest("not a url")), "url");
        await AssertValidationAsync(await _admin.PutAsJsonAsync("/api/v1/admin/shops/dev-shop/webhook", new SetShopWebhookRequest(null)), "url");
        await AssertValidationAsync(await _admin.PutAsJsonAsync("/api/v1/admin/shops/bad%20shop!/webhook", new SetShopWebhookRequest("https://shop.example/hooks")), "shop");
        await AssertValidationAsync(await _admin.PutAsJsonAsync("/api/v1/admin/shops/portal/webhook", new SetShopWebhookRequest("https://shop.example/hooks")), "shop");
        await AssertValidationAsync(await _admin.GetAsync("/api/v1/webhooks/deliveries?state=lost"), "state");
        await AssertValidationAsync(await _admin.GetAsync("/api/v1/webhooks/deliveries?pageSize=0"), "page");
        await AssertValidationAsync(await _admin.PostAsync("/api/v1/webhooks/deliveries/resend-failed?shop=a%20b", null), "shop");

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync("/api/v1/admin/shops/no-such-shop/webhook")).StatusCode);
        await AssertProblemAsync(await _admin.GetAsync("/api/v1/webhooks/deliveries/999999"), HttpStatusCode.NotFound, ErrorCodes.WebhookDeliveryNotFound);
        await AssertProblemAsync(await _admin.PostAsync("/api/v1/webhooks/deliveries/999999/resend", null), HttpStatusCode.NotFound, ErrorCodes.WebhookDeliveryNotFound);
    }

    [Fact]
    public async Task A_shop_key_sees_only_its_own_deliveries_and_the_event_carries_the_order_as_the_shop_reads_it()
    {
        await using var receiver = await ShopReceiver.StartAsync();
        var created = await (await _admin.PostAsJsonAsync("/api/v1/admin/api-keys", new CreateShopApiKeyRequest("other-shop", "webhook test"))).ReadAsync<CreatedShopApiKeyDto>();
        var other = _factory.CreateClient();
        other.DefaultRequestHeaders.Add("X-Api-Key", created.Key);
        var devShop = _factory.ShopClient();
        var first = await WebhookChecks.SetWebhookAsync(_admin, receiver, "dev-shop");
        var rotated = await WebhookChecks.SetWebhookAsync(_admin, receiver, "dev-shop"); // every PUT is a new secret
        Assert.NotEqual(first, rotated);
        await WebhookChecks.SetWebhookAsync(_admin, receiver, "other-shop");

        var mine = await (await devShop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder() with { CustomerPhone = "+971501234567" })).ReadAsync<OrderDto>();
        var theirs = await (await other.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())).ReadAsync<OrderDto>();
        Assert.True(await PortalClient.EventuallyAsync(async () => receiver.Accepted.Count == 2
            && (await _admin.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>("/api/v1/webhooks/deliveries?state=succeeded", PortalClient.Json))!.Total == 2,
            TimeSpan.FromSeconds(30)), "both events should arrive and be recorded as delivered");

        var own = await devShop.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>("/api/v1/webhooks/deliveries", PortalClient.Json);
        var delivery = Assert.Single(own!.Items);
        Assert.Equal((mine.Id, "dev-shop", WebhookEventTypes.OrderDelivered, WebhookDeliveryState.Succeeded, 1), (delivery.OrderId, delivery.Shop, delivery.Type, delivery.State, delivery.Attempts));
        Assert.Equal(0, (await devShop.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>("/api/v1/webhooks/deliveries?shop=other-shop", PortalClient.Json))!.Total);
        var all = await _admin.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>("/api/v1/webhooks/deliveries", PortalClient.Json);
        Assert.Equal(2, all!.Total);
        var theirDelivery = all.Items.Single(d => d.OrderId == theirs.Id);
        await AssertProblemAsync(await devShop.GetAsync($"/api/v1/webhooks/deliveries/{theirDelivery.Id}"), HttpStatusCode.NotFound, ErrorCodes.WebhookDeliveryNotFound);
        Assert.Single((await _admin.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>($"/api/v1/webhooks/deliveries?orderId={theirs.Id}&state=succeeded", PortalClient.Json))!.Items);

        // The raw list item has the contract's names; state is lowercase.
        using (var raw = JsonDocument.Parse(await devShop.GetStringAsync("/api/v1/webhooks/deliveries")))
        {
            var item = raw.RootElement.GetProperty("items")[0];
            Assert.Equal("succeeded", item.GetProperty("state").GetString());
            foreach (var name in new[] { "id", "eventId", "shop", "orderId", "type", "attempts", "createdAt", "succeededAt" })
            {
                Assert.True(item.TryGetProperty(name, out _), name);
            }
        }

        // The event's order is the order as the shop's own GET answered it then: same fields, phone masked, attempts a prefix of today's.
        var detail = await devShop.GetFromJsonAsync<WebhookDeliveryDetailDto>($"/api/v1/webhooks/deliveries/{delivery.Id}", PortalClient.Json);
        Assert.Equal(204, Assert.Single(detail!.Attempts).StatusCode);
        using var payload = JsonDocument.Parse(detail.Payload);
        var sent = receiver.Accepted.Single(e => e.OrderId == mine.Id);
        Assert.Equal(delivery.EventId, payload.RootElement.GetProperty("eventId").GetString());
        Assert.Equal(sent.OrderJson, payload.RootElement.GetProperty("order").GetRawText());
        using var now = JsonDocument.Parse(await devShop.GetStringAsync($"/api/v1/orders/{mine.Id}"));
        using var then = JsonDocument.Parse(sent.OrderJson);
        Assert.Equal(Names(now.RootElement), Names(then.RootElement));
        Assert.Equal("Delivered", then.RootElement.GetProperty("status").GetString());
        Assert.Equal("+97*******567", then.RootElement.GetProperty("customerPhone").GetString());
        var attemptIds = then.RootElement.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).ToList();
        Assert.NotEmpty(attemptIds);
        Assert.DoesNotContain(0, attemptIds);
        Assert.Equal(attemptIds, now.RootElement.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("id").GetInt64()).Take(attemptIds.Count));

        // A resend goes again with the same eventId (the shop takes it as a repeat).
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsync($"/api/v1/webhooks/deliveries/{delivery.Id}/resend", null)).StatusCode);
        WebhookDeliveryDetailDto? resent = null;
        Assert.True(await PortalClient.EventuallyAsync(async () => receiver.Duplicates == 1
            && (resent = await devShop.GetFromJsonAsync<WebhookDeliveryDetailDto>($"/api/v1/webhooks/deliveries/{delivery.Id}", PortalClient.Json))!.Delivery.State == WebhookDeliveryState.Succeeded,
            TimeSpan.FromSeconds(30)), "the resent event should arrive again");
        Assert.Equal((WebhookDeliveryState.Succeeded, 2, delivery.EventId), (resent!.Delivery.State, resent.Attempts.Count, resent.Delivery.EventId));
        Assert.Equal(0, receiver.BadSignatures);
        Assert.Equal(2, receiver.Accepted.Count);
    }

    [Fact]
    public async Task The_development_receiver_checks_signatures_and_counts_repeats()
    {
        var put = await _admin.PutAsJsonAsync("/api/v1/admin/shops/dev-shop/webhook", new SetShopWebhookRequest(new Uri(_factory.RootUri, "/sandbox/webhooks/dev-shop").ToString()));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var order = await (await _factory.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())).ReadAsync<OrderDto>();

        PagedResult<SandboxWebhookDto>? inbox = null;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (inbox = await _admin.GetFromJsonAsync<PagedResult<SandboxWebhookDto>>("/api/v1/webhooks/sandbox-inbox", PortalClient.Json))!.Total == 1, TimeSpan.FromSeconds(30)));
        var taken = Assert.Single(inbox!.Items);
        Assert.Equal((order.Id, "dev-shop", WebhookEventTypes.OrderDelivered, true, 1), (taken.OrderId, taken.Shop, taken.Type, taken.SignatureValid, taken.Deliveries));

        var id = (await _admin.GetFromJsonAsync<PagedResult<WebhookDeliveryDto>>("/api/v1/webhooks/deliveries", PortalClient.Json))!.Items.Single().Id;
        Assert.Equal(HttpStatusCode.Accepted, (await _admin.PostAsync($"/api/v1/webhooks/deliveries/{id}/resend", null)).StatusCode);
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (await _admin.GetFromJsonAsync<PagedResult<SandboxWebhookDto>>("/api/v1/webhooks/sandbox-inbox", PortalClient.Json))!.Items.Single().Deliveries == 2, TimeSpan.FromSeconds(30)));

        // Anyone can post, but only the portal's signature is taken.
        var forged = await _factory.CreateClient().PostAsync("/sandbox/webhooks/dev-shop", new StringContent("""{"eventId":"x","type":"order.delivered","order":{"id":1}}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task A_development_run_with_demo_traffic_sends_its_shops_events_to_the_built_in_receiver()
    {
        await using var demo = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Demo:OrdersPerSecond"] = "2" }, output);
        var (admin, _) = await demo.SignInAsync(PortalClient.Admin);
        List<ShopWebhookDto>? webhooks = null;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (webhooks = await admin.GetFromJsonAsync<List<ShopWebhookDto>>("/api/v1/admin/shops/webhooks", PortalClient.Json))!.Count == 2, TimeSpan.FromSeconds(20)));
        Assert.Equal(["demo", "dev-shop"], webhooks!.Select(w => w.Shop));
        Assert.All(webhooks!, w => Assert.EndsWith($"/sandbox/webhooks/{w.Shop}", w.Url));

        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (await admin.GetFromJsonAsync<PagedResult<SandboxWebhookDto>>("/api/v1/webhooks/sandbox-inbox?shop=demo", PortalClient.Json))!.Total >= 3, TimeSpan.FromSeconds(40)),
            "demo traffic's events should reach the built-in receiver");
        var inbox = await admin.GetFromJsonAsync<PagedResult<SandboxWebhookDto>>("/api/v1/webhooks/sandbox-inbox", PortalClient.Json);
        Assert.All(inbox!.Items, e => Assert.True(e.SignatureValid));
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order()];

    private static async Task AssertValidationAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ErrorCodes.Validation, problem.RootElement.GetProperty("code").GetString());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }
}
