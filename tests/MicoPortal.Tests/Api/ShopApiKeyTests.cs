using System.Net;
using System.Net.Http.Json;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Api;

/// <summary>Shop API keys created by admins: stored hashed, shown once, scoped to their shop, revocable.</summary>
public class ShopApiKeyTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<CreatedShopApiKeyDto> CreateKeyAsync(string shop, string name = "checkout server")
    {
        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        var response = await admin.PostAsJsonAsync("/api/v1/admin/api-keys", new CreateShopApiKeyRequest(shop, name));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<CreatedShopApiKeyDto>();
    }

    private HttpClient ClientWithKey(string key)
    {
        var client = fixture.Factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Fact]
    public async Task A_new_key_is_shown_once_stored_only_as_a_digest_and_places_orders_for_its_shop()
    {
        var created = await CreateKeyAsync("shop-alpha");

        Assert.StartsWith("mp_", created.Key);
        Assert.Equal(43, created.Key.Length);
        Assert.StartsWith(created.ApiKey.Prefix, created.Key);
        Assert.True(created.ApiKey.Prefix.Length < 12, "the prefix must not give the key away");

        var stored = await fixture.Factory.WithDbAsync(db => db.ShopApiKeys.AsNoTracking().SingleAsync(k => k.Id == created.ApiKey.Id));
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(created.Key)), stored.Hash);
        Assert.Equal(PortalClient.Admin, stored.CreatedBy);

        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        var listed = await admin.GetStringAsync("/api/v1/admin/api-keys");
        Assert.Contains(created.ApiKey.Prefix, listed);
        Assert.DoesNotContain(created.Key, listed);

        var response = await ClientWithKey(created.Key).PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await response.ReadAsync<OrderDto>();
        Assert.Equal("shop-alpha", await fixture.Factory.WithDbAsync(db => db.Orders.Where(o => o.Id == order.Id).Select(o => o.Shop).SingleAsync()));
        Assert.NotNull(await fixture.Factory.WithDbAsync(db => db.ShopApiKeys.Where(k => k.Id == created.ApiKey.Id).Select(k => k.LastUsedAt).SingleAsync()));
    }

    [Fact]
    public async Task One_shop_never_sees_another_shops_orders_and_external_ids_are_per_shop()
    {
        var alpha = ClientWithKey((await CreateKeyAsync("scoped-alpha")).Key);
        var beta = ClientWithKey((await CreateKeyAsync("scoped-beta")).Key);
        var externalId = $"shared-{Guid.NewGuid():N}";

        var alphaOrder = await (await alpha.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(externalId))).ReadAsync<OrderDto>();
        // The same externalId from another shop is that shop's own, different order, not a conflict.
        var betaResponse = await beta.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(externalId, coins: 900));
        Assert.Equal(HttpStatusCode.Created, betaResponse.StatusCode);
        var betaOrder = await betaResponse.ReadAsync<OrderDto>();
        Assert.NotEqual(alphaOrder.Id, betaOrder.Id);

        // By id, by list, by externalId and by export: beta sees nothing of alpha.
        var byId = await beta.GetAsync($"/api/v1/orders/{alphaOrder.Id}");
        Assert.Equal(HttpStatusCode.NotFound, byId.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alpha.GetAsync($"/api/v1/orders/{alphaOrder.Id}")).StatusCode);

        var list = await (await beta.GetAsync($"/api/v1/orders?externalId={externalId}")).ReadAsync<PagedResult<OrderSummaryDto>>();
        Assert.Equal(betaOrder.Id, Assert.Single(list.Items).Id);
        var everything = await (await beta.GetAsync("/api/v1/orders?pageSize=500")).ReadAsync<PagedResult<OrderSummaryDto>>();
        Assert.DoesNotContain(everything.Items, o => o.Id == alphaOrder.Id);
        var export = await beta.GetStringAsync("/api/v1/orders/export");
        Assert.DoesNotContain($"\n{alphaOrder.Id},", export);

        // Operators see both shops.
        var (ops, _) = await fixture.Factory.SignInAsync(PortalClient.Operations);
        var both = await (await ops.GetAsync($"/api/v1/orders?externalId={externalId}")).ReadAsync<PagedResult<OrderSummaryDto>>();
        Assert.Equal(2, both.Total);
    }

    [Fact]
    public async Task A_revoked_key_is_refused_at_once_and_stays_on_record()
    {
        var created = await CreateKeyAsync("shop-revoked");
        var shop = ClientWithKey(created.Key);
        Assert.Equal(HttpStatusCode.OK, (await shop.GetAsync("/api/v1/orders")).StatusCode);

        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/api-keys/{created.ApiKey.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/api-keys/{created.ApiKey.Id}")).StatusCode);

        var refused = await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(ErrorCodes.Unauthorized, (await refused.ReadAsync<Problem>()).Code);

        var keys = await (await admin.GetAsync("/api/v1/admin/api-keys")).ReadAsync<List<ShopApiKeyDto>>();
        var revoked = Assert.Single(keys, k => k.Id == created.ApiKey.Id);
        Assert.False(revoked.IsActive);
        Assert.Equal(PortalClient.Admin, revoked.RevokedBy);
    }

    [Theory]
    [InlineData("", "name", "shop")]
    [InlineData("has space", "name", "shop")]
    [InlineData("portal", "name", "shop")]
    [InlineData("shop-ok", "", "name")]
    [InlineData("<script>alert(1)</script>", "x", "shop")]
    public async Task Invalid_key_requests_get_a_validation_problem(string shop, string name, string field)
    {
        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        var response = await admin.PostAsJsonAsync("/api/v1/admin/api-keys", new CreateShopApiKeyRequest(shop, name));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/v1/admin/api-keys/987654")).StatusCode);
    }

    private sealed record Problem(string? Code, string? Title);
}
