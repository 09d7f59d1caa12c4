using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MicoPortal.Tests.Api;

/// <summary>Admin actions on the real server with its built-in sandbox.</summary>
public class OrderActionsApiTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<OrderDto> OrderInStatusAsync(string micoUserId, OrderStatus status)
    {
        var order = await (await fixture.Factory.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(micoUserId: micoUserId))).ReadAsync<OrderDto>();
        Assert.True(await PortalClient.EventuallyAsync(
            () => fixture.Factory.WithDbAsync(db => db.Orders.AnyAsync(o => o.Id == order.Id && o.Status == status)), TimeSpan.FromSeconds(20)),
            $"order {order.Id} should become {status}");
        return order;
    }

    [Fact]
    public async Task Retry_delivery_of_a_failed_order_makes_a_new_attempt_with_a_new_reference()
    {
        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        var failed = await OrderInStatusAsync("55500091", OrderStatus.Failed);

        var response = await admin.PostAsync($"/api/v1/orders/{failed.Id}/retry-delivery", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            var order = await fixture.Factory.WithDbAsync(db => db.Orders.AsNoTracking().SingleAsync(o => o.Id == failed.Id));
            return order.AttemptNo == 2 && order.Status == OrderStatus.Failed && order.CreateIssuedAt is not null;
        }, TimeSpan.FromSeconds(20)), "the second attempt should be sent and fail again (scenario 91)");
        var ledger = fixture.Factory.Services.GetRequiredService<SandboxLedger>();
        Assert.Equal(1, ledger.CreatesCommitted($"{failed.Id}-1"));
        Assert.Equal(1, ledger.CreatesCommitted($"{failed.Id}-2"));
        var attempts = await fixture.Factory.WithDbAsync(db => db.OrderAttempts.Where(a => a.OrderId == failed.Id && a.Kind == AttemptKind.RetryDelivery).ToListAsync());
        Assert.Equal(PortalClient.Admin, Assert.Single(attempts).Actor);
    }

    [Fact]
    public async Task Retry_delivery_is_refused_unless_the_order_failed()
    {
        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        var delivered = await OrderInStatusAsync("55500010", OrderStatus.Delivered);

        var response = await admin.PostAsync($"/api/v1/orders/{delivered.Id}/retry-delivery", null);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(ErrorCodes.InvalidState, (await response.ReadAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(1, await fixture.Factory.WithDbAsync(db => db.Orders.Where(o => o.Id == delivered.Id).Select(o => o.AttemptNo).SingleAsync()));
    }

    [Fact]
    public async Task Reverify_queues_a_check_of_one_or_many_orders()
    {
        var (admin, _) = await fixture.Factory.SignInAsync(PortalClient.Admin);
        var delivered = await OrderInStatusAsync("55500011", OrderStatus.Delivered);

        var one = await admin.PostAsync($"/api/v1/orders/{delivered.Id}/reverify", null);
        var many = await admin.PostAsJsonAsync("/api/v1/orders/reverify", new ReverifyOrdersRequest([delivered.Id, 999_999_999]));
        var byStatus = await admin.PostAsJsonAsync("/api/v1/orders/reverify", new { status = "Delivered" });
        var empty = await admin.PostAsJsonAsync("/api/v1/orders/reverify", new { });
        var missing = await admin.PostAsync("/api/v1/orders/999999999/reverify", null);

        Assert.Equal(HttpStatusCode.Accepted, one.StatusCode);
        Assert.Equal(1, (await many.ReadAsync<ReverifyOrdersResponse>()).Queued);
        Assert.True((await byStatus.ReadAsync<ReverifyOrdersResponse>()).Queued >= 1);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(await PortalClient.EventuallyAsync(
            () => fixture.Factory.WithDbAsync(db => db.OrderAttempts.AnyAsync(a => a.OrderId == delivered.Id && a.Kind == AttemptKind.Query && a.Outcome.Contains("confirmed again"))),
            // A hang guard, not a timing claim: the by-status request queued every delivered order of the shared server.
            TimeSpan.FromSeconds(60)), "the re-verification should query the provider");
    }

    [Fact]
    public async Task Admin_actions_need_an_admin()
    {
        var (operations, _) = await fixture.Factory.SignInAsync(PortalClient.Operations);
        var anonymous = fixture.Factory.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await operations.PostAsync("/api/v1/orders/1/retry-delivery", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operations.PostAsync("/api/v1/orders/1/reverify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/orders/1/retry-delivery", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Factory.ShopClient().PostAsync("/api/v1/orders/1/reverify", null)).StatusCode);
    }
}
