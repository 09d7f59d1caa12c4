using System.Net.Http.Json;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Orders;

/// <summary>An order's shown reason is one rule, the same in its detail and in the orders list (EF projection).</summary>
public sealed class ShownReasonTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_disputed_order_without_a_provider_code_shows_DISPUTED_and_why_in_its_detail_and_in_the_list()
    {
        // No sweeps: nothing but this test writes the order.
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Verification:Enabled"] = "false" }, output);
        var shop = portal.ShopClient();
        var placed = await (await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())).ReadAsync<OrderDto>();
        await portal.WithDbAsync(db => db.Orders.Where(o => o.Id == placed.Id).ExecuteUpdateAsync(s => s
            .SetProperty(o => o.Disputed, true)
            .SetProperty(o => o.DisputeReason, "ledger lists it FAILED")
            .SetProperty(o => o.ReasonMessage, "provider message")));

        var detail = await (await shop.GetAsync($"/api/v1/orders/{placed.Id}")).ReadAsync<OrderDto>();
        var listed = Assert.Single((await (await shop.GetAsync($"/api/v1/orders?externalId={placed.ExternalId}")).ReadAsync<PagedResult<OrderSummaryDto>>()).Items);
        foreach (OrderFields shown in new OrderFields[] { detail, listed })
        {
            Assert.Equal(OrderMapping.DisputedReasonCode, shown.ReasonCode);
            Assert.Equal("ledger lists it FAILED", shown.ReasonMessage);
        }
    }

    [Theory]
    [InlineData("ACCOUNT_INVALID", false, "provider says", null, "ACCOUNT_INVALID", "provider says")]
    [InlineData("ACCOUNT_INVALID", true, "provider says", "ledger disagrees", "ACCOUNT_INVALID", "ledger disagrees")]
    [InlineData(null, true, "provider says", null, "DISPUTED", "provider says")]
    [InlineData(null, false, null, null, null, null)]
    public void The_provider_code_comes_first_and_a_dispute_reason_before_the_provider_message(
        string? code, bool disputed, string? message, string? disputeReason, string? shownCode, string? shownMessage)
    {
        Assert.Equal(shownCode, OrderMapping.ShownReasonCode(code, disputed));
        Assert.Equal(shownMessage, OrderMapping.ShownReasonMessage(message, disputed, disputeReason));
    }
}
