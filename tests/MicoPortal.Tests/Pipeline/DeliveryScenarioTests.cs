using System.Net;
using System.Net.Http.Json;
using MicoPortal.Server.Data;
using MicoPortal.Server.Orders;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Pipeline;

/// <summary>
/// The whole pipeline on the real server against a provider speaking docs/api.md section 4:
/// every sandbox scenario ends where it must, with no order lost and no create sent twice.
/// </summary>
[Collection(EndToEndRuns.Name)]
public class DeliveryScenarioTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task A_thousand_orders_over_all_ten_scenarios_end_in_the_right_state()
    {
        await using var provider = await ProviderHost.StartAsync();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), provider.PortalSettings(), output);
        var shop = portal.ShopClient();

        var orders = ScenarioExpectations.Suffixes
            .SelectMany(suffix => Enumerable.Range(0, 100).Select(i => PortalClient.NewOrder($"it-{suffix}-{i}", ScenarioExpectations.UserId(suffix, i))))
            .ToList();
        var response = await shop.PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(orders));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All((await response.ReadAsync<CreateOrderBatchResponse>()).Results, r => Assert.Equal(BatchOutcomes.Created, r.Outcome));

        var settled = await PortalClient.EventuallyAsync(async () =>
        {
            var states = await portal.WithDbAsync(db => db.Orders.AsNoTracking().Select(o => new { o.MicoUserId, o.Status }).ToListAsync());
            return states.Count == 1000 && states.All(s => s.Status == ScenarioExpectations.FinalStatus(ScenarioExpectations.Suffix(s.MicoUserId)));
        }, Deadline);

        var final = await portal.WithDbAsync(db => db.Orders.AsNoTracking().Include(o => o.Attempts).ToListAsync());
        foreach (var group in final.GroupBy(o => ScenarioExpectations.Suffix(o.MicoUserId)).OrderBy(g => g.Key))
        {
            output.WriteLine($"{group.Key}: {string.Join(", ", group.GroupBy(o => o.Status).Select(s => $"{s.Key} {s.Count()}"))}");
            foreach (var attempt in group.First().Attempts.OrderBy(a => a.Id))
            {
                output.WriteLine($"    {attempt.At:HH:mm:ss.fff} {attempt.Kind} http={attempt.HttpStatus} provider={attempt.ProviderStatus} {attempt.LatencyMs} ms: {attempt.Outcome} {attempt.Error}");
            }
        }

        Assert.True(settled, "every order should reach its scenario's final status");
        Assert.Equal(1000, final.Count);
        var creates = ProviderCreateAudit.Check(provider.Ledger, final);
        output.WriteLine("creates at the provider: " + creates);
        Assert.Empty(creates.Violations);
        Assert.All(final, order =>
        {
            var suffix = ScenarioExpectations.Suffix(order.MicoUserId);
            var counts = provider.Ledger.GetCreateCounts(order.ClientRef);
            Assert.Equal(1, counts.Committed); // exactly one order at the provider per attempt
            Assert.Equal(1, order.AttemptNo);
            if (order.Status is OrderStatus.Delivered or OrderStatus.Reversed)
            {
                Assert.NotNull(order.ProofSerial);
                Assert.NotNull(order.ApiConfirmedAt);
            }

            switch (suffix)
            {
                case 91:
                    Assert.Equal("ACCOUNT_INVALID", order.ReasonCode);
                    break;
                case 92:
                    Assert.Contains(order.Attempts, a => a.ProviderStatus == "PENDING");
                    break;
                case 93:
                    Assert.Equal(1, counts.Received); // the lost answer was resolved by a query, never a resend
                    Assert.Contains(order.Attempts, a => a.Kind == AttemptKind.Create && a.Outcome.StartsWith("outcome unknown", StringComparison.Ordinal));
                    break;
                case 94:
                    Assert.Equal(2, counts.Received); // resubmitted exactly once, after REF_NOT_FOUND
                    Assert.Contains(order.Attempts, a => a.Kind == AttemptKind.Query && a.Error == "REF_NOT_FOUND");
                    break;
                case 98:
                    Assert.Contains(order.Attempts, a => a.Kind == AttemptKind.Callback && a.Outcome.Contains("ignored", StringComparison.Ordinal));
                    break;
            }
        });
        Assert.All(final.Where(o => ScenarioExpectations.Suffix(o.MicoUserId) is 96 or 97 or 99),
            order => Assert.Contains(order.Attempts, a => a.Error is not null || a.HttpStatus is 429 or 503));
    }

    [Fact]
    public async Task Restarting_the_portal_mid_run_loses_no_order_and_sends_nothing_twice()
    {
        await using var provider = await ProviderHost.StartAsync();
        var dataDirectory = PortalFactory.NewDataDirectory();
        var orders = new[] { 10, 92, 93, 94, 97 }
            .SelectMany(suffix => Enumerable.Range(0, 60).Select(i => PortalClient.NewOrder($"rs-{suffix}-{i}", ScenarioExpectations.UserId(suffix, i))))
            .ToList();

        var before = new PortalFactory(dataDirectory, provider.PortalSettings(), output);
        await before.ShopClient().PostAsJsonAsync("/api/v1/orders/batch", new CreateOrderBatchRequest(orders));
        await Task.Delay(1500); // some dispatched, some verified, none of the slow ones final
        var midRun = await before.WithDbAsync(db => db.Orders.GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        output.WriteLine("at restart: " + string.Join(", ", midRun.Select(s => $"{s.Key} {s.Count}")));
        await before.DisposeAsync();

        await using var after = new PortalFactory(dataDirectory, provider.PortalSettings(), output);
        after.StartServer();
        var settled = await PortalClient.EventuallyAsync(async () =>
            await after.WithDbAsync(db => db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered)) == orders.Count, Deadline);

        var final = await after.WithDbAsync(db => db.Orders.AsNoTracking().ToListAsync());
        Assert.True(midRun.Sum(s => s.Count) == orders.Count && midRun.Any(s => !((OrderStatus)s.Key).IsFinal()), "the restart should happen mid-run");
        Assert.True(settled, "every order should be delivered after the restart: " + string.Join(", ", final.GroupBy(o => o.Status).Select(g => $"{g.Key} {g.Count()}")));
        Assert.Equal(orders.Count, final.Count);
        var creates = ProviderCreateAudit.Check(provider.Ledger, final);
        output.WriteLine("creates at the provider: " + creates);
        Assert.Empty(creates.Violations);
    }
}
