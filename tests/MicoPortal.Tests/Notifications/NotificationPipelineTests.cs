using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using MicoPortal.Tests.Pipeline;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Notifications;

/// <summary>Customer notifications through the real pipeline: intake, sandbox provider, outbox, sandbox SMS sink.</summary>
public sealed class NotificationPipelineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PortalFactory _factory = null!;
    private HttpClient _shop = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _factory = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?> { ["Notifications:Gateway"] = "Sandbox" }, output);
        _shop = _factory.ShopClient();
        (_admin, _) = await _factory.SignInAsync(PortalClient.Admin);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task A_delivered_order_sends_one_sms_to_the_customer_and_the_contract_lists_it()
    {
        var id = await CreateAsync(PortalClient.NewOrder(micoUserId: "12345610", coins: 1500) with { CustomerPhone = "+971501234567" });

        var items = await WaitForAsync(id, n => n.Count == 1 && n[0].Status == NotificationStatus.Sent);

        var sms = Assert.Single(items);
        Assert.Equal(NotificationChannels.Sms, sms.Channel);
        Assert.Equal("+971501234567", sms.To);
        Assert.Equal("Delivered", sms.OrderStatus);
        Assert.Contains("1,500 MICO coins for account 12345610 have arrived", sms.Text);
        Assert.NotNull(sms.SentAt);
        Assert.Equal(1, sms.Tries);

        // The contract's field names, read from the raw JSON.
        using var json = JsonDocument.Parse(await _admin.GetStringAsync($"/api/v1/notifications?orderId={id}"));
        var item = json.RootElement.GetProperty("items")[0];
        Assert.Equal(id, item.GetProperty("orderId").GetInt64());
        Assert.Equal("sms", item.GetProperty("channel").GetString());
        Assert.Equal("+971501234567", item.GetProperty("to").GetString());
        Assert.Equal("Sent", item.GetProperty("status").GetString());
        Assert.True(item.TryGetProperty("text", out _) && item.TryGetProperty("sentAt", out _));

        var inbox = await _admin.GetFromJsonAsync<PagedResult<SandboxSmsDto>>("/api/v1/notifications/sandbox-inbox", PortalClient.Json);
        var message = Assert.Single(inbox!.Items);
        Assert.Equal(sms.GatewayMessageId, message.MessageId);
        Assert.Equal(sms.Text, message.Text);
        Assert.Equal(1, message.Deliveries);
        var toThatPhone = await _admin.GetFromJsonAsync<PagedResult<SandboxSmsDto>>("/api/v1/notifications/sandbox-inbox?to=%2B971501234567", PortalClient.Json);
        Assert.Equal(message.MessageId, Assert.Single(toThatPhone!.Items).MessageId);
        var toAnother = await _admin.GetFromJsonAsync<PagedResult<SandboxSmsDto>>("/api/v1/notifications/sandbox-inbox?to=%2B971509999999", PortalClient.Json);
        Assert.Empty(toAnother!.Items);
        Assert.Equal(0, toAnother.Total);
    }

    [Fact]
    public async Task Failed_and_reversed_outcomes_are_announced_and_an_order_without_a_phone_is_recorded_as_skipped()
    {
        var failed = await CreateAsync(PortalClient.NewOrder(micoUserId: ScenarioExpectations.UserId(91, 1)) with { CustomerPhone = "+971500000091" });
        var reversed = await CreateAsync(PortalClient.NewOrder(micoUserId: ScenarioExpectations.UserId(95, 2)) with { CustomerPhone = "+971500000095" });
        var noPhone = await CreateAsync(PortalClient.NewOrder(micoUserId: ScenarioExpectations.UserId(10, 3)));

        var failedItems = await WaitForAsync(failed, n => n.Count == 1 && n[0].Status == NotificationStatus.Sent);
        Assert.Equal("Failed", failedItems[0].OrderStatus);
        Assert.Contains("could not deliver", failedItems[0].Text);

        // Sandbox scenario 95: SUCCESS, then REVERSED 10 s later: two messages, in that order.
        var reversedItems = await WaitForAsync(reversed, n => n.Count == 2 && n.All(i => i.Status == NotificationStatus.Sent), TimeSpan.FromSeconds(60));
        Assert.Equal(["Reversed", "Delivered"], reversedItems.Select(i => i.OrderStatus));
        Assert.Contains("were reversed", reversedItems[0].Text);

        var skipped = Assert.Single(await WaitForAsync(noPhone, n => n.Count == 1));
        Assert.Equal(NotificationStatus.Skipped, skipped.Status);
        Assert.Equal("", skipped.To);
        Assert.Null(skipped.SentAt);
        Assert.Contains("customerPhone", skipped.Error);

        var inbox = await _admin.GetFromJsonAsync<PagedResult<SandboxSmsDto>>("/api/v1/notifications/sandbox-inbox", PortalClient.Json);
        Assert.Equal(3, inbox!.Total); // failed 1 + reversed 2; the skipped one went nowhere
        var sent = await _factory.WithDbAsync(db => db.CustomerNotifications.CountAsync(n => n.Status == NotificationStatus.Sent));
        Assert.Equal(3, sent);
    }

    [Fact]
    public async Task A_bad_phone_is_a_validation_error_and_a_different_phone_for_the_same_order_is_a_conflict()
    {
        var bad = await _shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder() with { CustomerPhone = "0501234567" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using (var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()))
        {
            Assert.Equal("VALIDATION", problem.RootElement.GetProperty("code").GetString());
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("customerPhone", out _));
        }

        var order = PortalClient.NewOrder() with { CustomerPhone = "+971501234567" };
        Assert.Equal(HttpStatusCode.Created, (await _shop.PostAsJsonAsync("/api/v1/orders", order)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _shop.PostAsJsonAsync("/api/v1/orders", order)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _shop.PostAsJsonAsync("/api/v1/orders", order with { CustomerPhone = "+971509999999" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _shop.PostAsJsonAsync("/api/v1/orders", order with { CustomerPhone = null })).StatusCode);
    }

    [Fact]
    public async Task Notifications_are_admin_only_and_filters_are_validated()
    {
        var (operations, _) = await _factory.SignInAsync(PortalClient.Operations);
        Assert.Equal(HttpStatusCode.Forbidden, (await operations.GetAsync("/api/v1/notifications")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync("/api/v1/notifications")).StatusCode);

        var badStatus = await _admin.GetAsync("/api/v1/notifications?status=Lost");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus.StatusCode);
        Assert.Contains("VALIDATION", await badStatus.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.GetAsync("/api/v1/notifications?orderId=abc")).StatusCode);
    }

    private async Task<long> CreateAsync(CreateOrderRequest order)
    {
        var response = await _shop.PostAsJsonAsync("/api/v1/orders", order);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadAsync<OrderDto>()).Id;
    }

    private async Task<IReadOnlyList<NotificationDto>> WaitForAsync(long orderId, Func<IReadOnlyList<NotificationDto>, bool> done, TimeSpan? timeout = null)
    {
        IReadOnlyList<NotificationDto> items = [];
        var reached = await PortalClient.EventuallyAsync(async () =>
        {
            items = (await _admin.GetFromJsonAsync<PagedResult<NotificationDto>>($"/api/v1/notifications?orderId={orderId}", PortalClient.Json))!.Items;
            return done(items);
        }, timeout ?? TimeSpan.FromSeconds(30));
        Assert.True(reached, $"notifications of order {orderId}: {string.Join("; ", items.Select(i => $"{i.OrderStatus} {i.Status} {i.Error}"))}");
        return items;
    }
}
