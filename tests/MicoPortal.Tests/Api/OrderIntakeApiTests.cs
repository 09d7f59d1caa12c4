using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MicoPortal.Tests.Api;

public sealed class PortalFixture : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new(PortalFactory.NewDataDirectory());

    public Task InitializeAsync()
    {
        Factory.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public class OrderIntakeApiTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private readonly HttpClient _shop = fixture.Factory.ShopClient();

    [Fact]
    public async Task Same_order_posted_twice_is_one_order_and_a_changed_body_is_a_conflict()
    {
        var order = PortalClient.NewOrder();

        var first = await _shop.PostAsJsonAsync("/api/v1/orders", order);
        var second = await _shop.PostAsJsonAsync("/api/v1/orders", order);
        var changed = await _shop.PostAsJsonAsync("/api/v1/orders", order with { Coins = 501 });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var created = await first.ReadAsync<OrderDto>();
        var repeated = await second.ReadAsync<OrderDto>();
        Assert.Equal(created.Id, repeated.Id);
        Assert.Equal($"/api/v1/orders/{created.Id}", first.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Equal("application/problem+json", changed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ErrorCodes.OrderConflict, (await changed.ReadAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(1, await fixture.Factory.WithDbAsync(db => db.Orders.CountAsync(o => o.ExternalId == order.ExternalId)));
    }

    [Fact]
    public async Task Amount_written_with_more_decimals_is_the_same_order()
    {
        var order = PortalClient.NewOrder();
        await _shop.PostAsJsonAsync("/api/v1/orders", order);

        var again = await _shop.PostAsJsonAsync("/api/v1/orders", order with { Amount = "4.990" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Theory]
    [InlineData("""{"externalId":"x1","micoUserId":"123","region":"GLOBAL","sku":"S","coins":1,"amount":"1.00","currency":"USD"}""", "micoUserId")]
    [InlineData("""{"externalId":"x2","micoUserId":"12345678","region":"EU","sku":"S","coins":1,"amount":"1.00","currency":"USD"}""", "region")]
    [InlineData("""{"externalId":"x3","micoUserId":"12345678","region":"GLOBAL","sku":"S","coins":0,"amount":"1.00","currency":"USD"}""", "coins")]
    [InlineData("""{"externalId":"x4","micoUserId":"12345678","region":"GLOBAL","sku":"S","coins":1000001,"amount":"1.00","currency":"USD"}""", "coins")]
    [InlineData("""{"externalId":"x5","micoUserId":"12345678","region":"GLOBAL","sku":"S","coins":1,"amount":"-1","currency":"USD"}""", "amount")]
    [InlineData("""{"externalId":"x6","micoUserId":"12345678","region":"GLOBAL","sku":"S","coins":1,"amount":"1.00","currency":"usd"}""", "currency")]
    [InlineData("""{"micoUserId":"12345678","region":"GLOBAL","sku":"S","coins":1,"amount":"1.00","currency":"USD"}""", "externalId")]
    [InlineData("""{"externalId":"<script>","micoUserId":"12345678","region":"GLOBAL","sku":"S","coins":1,"amount":"1.00","currency":"USD"}""", "externalId")]
    public async Task Invalid_orders_get_validation_problems_naming_the_field(string body, string field)
    {
        var response = await _shop.PostAsync("/api/v1/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadAsync<JsonElement>();
        Assert.Equal(ErrorCodes.Validation, problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"externalId":"x","coins":"many"}""")]
    [InlineData("[]")]
    public async Task Malformed_bodies_get_a_validation_problem_not_a_server_error(string body)
    {
        var response = await _shop.PostAsync("/api/v1/orders", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.Validation, (await response.ReadAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Missing_or_wrong_api_key_is_unauthorized()
    {
        var anonymous = fixture.Factory.CreateClient();
        var wrong = fixture.Factory.CreateClient();
        wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");

        var none = await anonymous.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
        var bad = await wrong.GetAsync("/api/v1/orders");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.Equal(ErrorCodes.Unauthorized, (await bad.ReadAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_signed_in_operator_cannot_place_orders_or_look_up_accounts_only_a_shop_key_can()
    {
        foreach (var email in new[] { PortalClient.Operations, PortalClient.Admin })
        {
            var (session, _) = await fixture.Factory.SignInAsync(email);
            var order = PortalClient.NewOrder();

            var single = await session.PostAsJsonAsync("/api/v1/orders", order);
            var batch = await session.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest([PortalClient.NewOrder()]));
            var lookup = await session.PostAsJsonAsync("/api/v1/accounts/lookup", new { micoUserId = "12345610", region = "GLOBAL" });

            foreach (var response in new[] { single, batch, lookup })
            {
                Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
                Assert.Equal(ErrorCodes.Forbidden, (await response.ReadAsync<JsonElement>()).GetProperty("code").GetString());
            }

            Assert.False(await fixture.Factory.WithDbAsync(db => db.Orders.AnyAsync(o => o.ExternalId == order.ExternalId)), $"{email}'s session placed an order");
            // Reading stays open to the dashboard.
            Assert.Equal(HttpStatusCode.OK, (await session.GetAsync("/api/v1/orders")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await _shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())).StatusCode);
    }

    [Fact]
    public async Task Batch_reports_each_order_outcome()
    {
        var existing = PortalClient.NewOrder();
        await _shop.PostAsJsonAsync("/api/v1/orders", existing);
        var fresh = PortalClient.NewOrder();
        var batch = new CreateOrderBatchRequest([fresh, existing, existing with { Coins = 9 }, fresh with { MicoUserId = "1" }, fresh]);

        var response = await _shop.PostAsJsonAsync("/api/v1/orders/batch", batch);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.ReadAsync<CreateOrderBatchResponse>()).Results;
        Assert.Equal(
            [BatchOutcomes.Created, BatchOutcomes.Existing, BatchOutcomes.Conflict, BatchOutcomes.Invalid, BatchOutcomes.Existing],
            results.Select(r => r.Outcome).ToArray());
        Assert.NotNull(results[0].Id);
        Assert.Equal(results[0].Id, results[4].Id);
        Assert.True(results[3].Errors!.ContainsKey("micoUserId"));
    }

    [Fact]
    public async Task Batch_over_a_thousand_orders_is_refused()
    {
        var batch = new CreateOrderBatchRequest([.. Enumerable.Range(0, 1001).Select(_ => PortalClient.NewOrder())]);

        var response = await _shop.PostAsJsonAsync("/api/v1/orders/batch", batch);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Orders_are_listed_with_filters_and_paging()
    {
        var order = PortalClient.NewOrder();
        var created = await (await _shop.PostAsJsonAsync("/api/v1/orders", order)).ReadAsync<OrderDto>();

        var byExternal = await _shop.GetFromJsonAsync<Shared.Common.PagedResult<OrderSummaryDto>>($"/api/v1/orders?externalId={order.ExternalId}", PortalClient.Json);
        var bySearch = await _shop.GetFromJsonAsync<Shared.Common.PagedResult<OrderSummaryDto>>($"/api/v1/orders?q={created.Id}", PortalClient.Json);
        var paged = await _shop.GetFromJsonAsync<Shared.Common.PagedResult<OrderSummaryDto>>("/api/v1/orders?page=1&pageSize=1", PortalClient.Json);

        Assert.Equal(created.Id, Assert.Single(byExternal!.Items).Id);
        Assert.Contains(bySearch!.Items, o => o.Id == created.Id);
        Assert.Single(paged!.Items);
        Assert.True(paged.Total >= 1);
    }

    [Fact]
    public async Task Unknown_order_is_a_not_found_problem()
    {
        var response = await _shop.GetAsync("/api/v1/orders/999999999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ErrorCodes.OrderNotFound, (await response.ReadAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Account_lookup_asks_the_provider()
    {
        var valid = await _shop.PostAsJsonAsync("/api/v1/accounts/lookup", new AccountLookupRequest("12345678", "GLOBAL"));
        var otherRegion = await _shop.PostAsJsonAsync("/api/v1/accounts/lookup", new AccountLookupRequest("12345600", "GLOBAL"));
        var invalid = await _shop.PostAsJsonAsync("/api/v1/accounts/lookup", new AccountLookupRequest("12ab", "MARS"));

        var found = await valid.ReadAsync<AccountLookupResponse>();
        Assert.True(found.Valid);
        Assert.False(string.IsNullOrEmpty(found.Nickname));
        Assert.Equal("MENA", (await otherRegion.ReadAsync<AccountLookupResponse>()).Region);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }
}
