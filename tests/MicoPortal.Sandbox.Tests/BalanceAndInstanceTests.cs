using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace MicoPortal.Sandbox.Tests;

internal static class SandboxCalls
{
    public static async Task<string> BalanceAsync(this HttpClient client, string path = "balance")
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("balance").GetString()!;
    }

    public static decimal Amount(string balance) => decimal.Parse(balance, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static async Task SetFaultsAsync(this SandboxHost host, SandboxFaults faults)
    {
        using var response = await host.Client.PutAsJsonAsync("/sandbox/admin/faults", faults, ProviderJson.Options);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static Task<HttpResponseMessage> CreateAsync(this HttpClient client, ProviderCreateOrderRequest order) =>
        client.PostAsJsonAsync("orders", order, ProviderJson.Options);
}

public sealed class BalanceTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Balance_answers_the_configured_float_with_two_decimals_behind_the_key()
    {
        await using var configured = await SandboxHost.StartAsync(new() { ["Sandbox:Balance"] = "250.5", ["Sandbox:BalanceCurrency"] = "EUR" });
        using var noKey = _host.NewClient(TimeSpan.FromSeconds(5), apiKey: null);

        using var response = await _host.Client.GetAsync("balance");
        using var unauthorized = await noKey.GetAsync("balance");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"balance\":\"1000000.00\",\"currency\":\"USD\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("250.50", await configured.Client.BalanceAsync());
        Assert.Equal(250.5m, configured.Ledger.Balance);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
    }

    [Fact]
    public async Task Balance_falls_by_the_maxPrice_of_each_delivered_order_once_and_not_for_failed_ones()
    {
        var before = SandboxCalls.Amount(await _host.Client.BalanceAsync());
        string[] prices = ["1.25", "2.50", "3.75", "10.00", "0.01"];
        var delivered = new List<(string Ref, string UserId)>();
        foreach (var (price, i) in prices.Select((p, i) => (p, i)))
        {
            // A plain order and a 92 (slow success): both end delivered.
            var (clientRef, userId) = (SandboxHost.NewRef(), i % 2 == 0 ? "12345610" : "12345692");
            using var created = await _host.CreateAsync(_host.Order(clientRef, userId) with { MaxPrice = new ProviderMoney(price, "USD") });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            delivered.Add((clientRef, userId));
        }

        // A replay is the same order: no second charge.
        using var replay = await _host.CreateAsync(_host.Order(delivered[0].Ref, delivered[0].UserId) with { MaxPrice = new ProviderMoney(prices[0], "USD") });
        var invalidAccount = SandboxHost.NewRef();
        using var failed = await _host.CreateAsync(_host.Order(invalidAccount, "12345691") with { MaxPrice = new ProviderMoney("7.77", "USD") });
        await _host.SetFaultsAsync(new SandboxFaults { OutOfStockRate = 1 });
        var outOfStock = SandboxHost.NewRef();
        using var noStock = await _host.CreateAsync(_host.Order(outOfStock, "12345610") with { MaxPrice = new ProviderMoney("9.99", "USD") });
        _host.Time.Advance(TimeSpan.FromSeconds(6));

        var after = SandboxCalls.Amount(await _host.Client.BalanceAsync());

        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.All(delivered, d => Assert.Equal(ProviderStatuses.Success, _host.Ledger.GetTruth(d.Ref)!.Status));
        Assert.Equal("ACCOUNT_INVALID", (await failed.OrderAsync()).ReasonCode);
        Assert.Equal("OUT_OF_STOCK", (await noStock.OrderAsync()).ReasonCode);
        Assert.Equal(17.51m, before - after);
        Assert.Equal(after, _host.Ledger.Balance);
    }

    [Fact]
    public async Task Admin_sets_the_balance_and_deliveries_take_it_below_zero()
    {
        using var set = await _host.Client.PutAsync("/sandbox/admin/balance", Json("{\"balance\":\"123.45\"}"));
        var read = await _host.Client.BalanceAsync("/sandbox/admin/balance");
        (await _host.CreateAsync(_host.Order(SandboxHost.NewRef(), "12345610") with { MaxPrice = new ProviderMoney("0.45", "USD") })).Dispose();
        var afterOne = await _host.Client.BalanceAsync();
        _host.Ledger.SetBalance(0.5m);
        (await _host.CreateAsync(_host.Order(SandboxHost.NewRef(), "12345610"))).Dispose();

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("{\"balance\":\"123.45\",\"currency\":\"USD\"}", await set.Content.ReadAsStringAsync());
        Assert.Equal("123.45", read);
        Assert.Equal("123.00", afterOne);
        Assert.Equal("-4.49", await _host.Client.BalanceAsync());
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{}")]
    [InlineData("{\"balance\":\"abc\"}")]
    [InlineData("{\"balance\":\"-1\"}")]
    [InlineData("{\"balance\":12}")]
    public async Task A_bad_balance_body_is_400_VALIDATION_and_changes_nothing(string body)
    {
        using var response = await _host.Client.PutAsync("/sandbox/admin/balance", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ProviderErrorCodes.Validation, (await response.ErrorAsync()).Code);
        Assert.Equal(SandboxOptions.DefaultBalance, _host.Ledger.Balance);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}

public sealed class OutOfStockTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync(new() { ["Sandbox:Instances:0"] = "b" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Its_share_of_new_refs_is_out_of_stock_and_a_ref_always_answers_the_same()
    {
        await _host.SetFaultsAsync(new SandboxFaults { OutOfStockRate = 0.6 });
        using var b = _host.NewClient(TimeSpan.FromSeconds(10), instance: "b");
        var refs = Enumerable.Range(0, 500).Select(_ => SandboxHost.NewRef()).ToList();

        var first = await CreateAllAsync(_host.Client, refs);
        var replayed = await CreateAllAsync(_host.Client, refs);
        // Another instance (its own ledger, never saw these refs) decides the same from the clientRef alone.
        var elsewhere = await CreateAllAsync(b, refs.Take(100).ToList());

        var outOfStock = first.Where(o => o.Order.ReasonCode == "OUT_OF_STOCK").ToList();
        Assert.InRange(outOfStock.Count, 250, 350);
        Assert.All(first, o => Assert.Equal(HttpStatusCode.Created, o.Status));
        Assert.All(outOfStock, o => Assert.Equal((ProviderStatuses.Failed, "out of stock", (ProviderProof?)null), (o.Order.Status, o.Order.ReasonMessage, o.Order.Proof)));
        // The rest are plain orders: PENDING, or already SUCCESS when their pending time is zero.
        Assert.All(first.Except(outOfStock), o => Assert.Equal((false, (string?)null), (o.Order.Status == ProviderStatuses.Failed, o.Order.ReasonCode)));
        Assert.All(replayed, o => Assert.Equal(HttpStatusCode.OK, o.Status));
        Assert.Equal(first.Select(o => (o.Order.ProviderRef, o.Order.Status, o.Order.ReasonCode)), replayed.Select(o => (o.Order.ProviderRef, o.Order.Status, o.Order.ReasonCode)));
        Assert.Equal(first.Take(100).Select(o => o.Order.ReasonCode), elsewhere.Select(o => o.Order.ReasonCode));
        Assert.Equal(outOfStock.Count, _host.Ledger.FaultsInjected()["OutOfStock"]);
    }

    [Fact]
    public async Task Scenario_users_keep_their_scenario_and_the_callback_says_failed()
    {
        await _host.SetFaultsAsync(new SandboxFaults { OutOfStockRate = 1 });
        var (plain, invalid, slow) = (SandboxHost.NewRef(), SandboxHost.NewRef(), SandboxHost.NewRef());

        using var plainCreated = await _host.CreateAsync(_host.Order(plain, "12345610"));
        using var invalidCreated = await _host.CreateAsync(_host.Order(invalid, "12345691"));
        using var slowCreated = await _host.CreateAsync(_host.Order(slow, "12345692"));
        var callback = Assert.Single(await _host.WaitForCallbacksAsync(plain, 1));

        Assert.Equal(HttpStatusCode.Created, plainCreated.StatusCode);
        Assert.Equal("OUT_OF_STOCK", (await plainCreated.OrderAsync()).ReasonCode);
        Assert.Equal("ACCOUNT_INVALID", (await invalidCreated.OrderAsync()).ReasonCode);
        Assert.Equal(ProviderStatuses.Pending, (await slowCreated.OrderAsync()).Status);
        Assert.Equal((ProviderStatuses.Failed, "OUT_OF_STOCK", (ProviderProof?)null), (callback.Callback.Order.Status, callback.Callback.Order.ReasonCode, callback.Callback.Order.Proof));
        Assert.Equal(1, _host.Ledger.FaultsInjected()["OutOfStock"]);
    }

    private static async Task<List<(HttpStatusCode Status, ProviderOrder Order)>> CreateAllAsync(HttpClient client, List<string> refs)
    {
        var answers = new List<(HttpStatusCode, ProviderOrder)>();
        foreach (var clientRef in refs)
        {
            using var response = await client.CreateAsync(new ProviderCreateOrderRequest(
                clientRef, "coins-100", new ProviderAccount("12345610", "GLOBAL"), 100, new ProviderMoney("4.99", "USD"), null));
            answers.Add((response.StatusCode, await response.OrderAsync()));
        }

        return answers;
    }
}

public sealed class CreateArrivalTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Every_create_that_names_a_clientRef_is_listed_with_its_time_replays_and_rejections_included()
    {
        var (created, invalid, limited) = (SandboxHost.NewRef(), SandboxHost.NewRef(), SandboxHost.NewRef());
        var t0 = _host.Time.GetUtcNow();

        using var first = await _host.CreateAsync(_host.Order(created, "12345610"));
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        using var replay = await _host.CreateAsync(_host.Order(created, "12345610"));
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        using var bad = await _host.CreateAsync(_host.Order(invalid, "12345610", quantity: 0));
        _host.Time.Advance(TimeSpan.FromSeconds(1));
        using var rateLimited = await _host.CreateAsync(_host.Order(limited, "12345696"));
        using var read = await _host.GetAsync(created);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.TooManyRequests),
            (first.StatusCode, replay.StatusCode, bad.StatusCode, rateLimited.StatusCode));
        Assert.Equal(
            [(created, t0), (created, t0.AddSeconds(1)), (invalid, t0.AddSeconds(2)), (limited, t0.AddSeconds(3))],
            _host.Ledger.CreateArrivals());
    }
}

public sealed class InstanceTests : IAsyncLifetime
{
    private SandboxHost _host = null!;
    private HttpClient _b = null!;

    public async Task InitializeAsync()
    {
        _host = await SandboxHost.StartAsync(new() { ["Sandbox:Instances:0"] = "b", ["Sandbox:Instances:1"] = "c-2", ["Sandbox:Balance"] = "100" });
        _b = _host.NewClient(TimeSpan.FromSeconds(10), instance: "b");
    }

    public async Task DisposeAsync()
    {
        _b.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public void Instances_are_named_default_first_and_map_to_their_own_ledgers()
    {
        Assert.Equal(["default", "b", "c-2"], _host.Instances.Names);
        Assert.Same(_host.Ledger, _host.Instances.Ledger("default"));
        Assert.NotSame(_host.Ledger, _host.Instances.Ledger("b"));
        Assert.NotSame(_host.Instances.Ledger("b"), _host.Instances.Ledger("c-2"));
        Assert.Throws<KeyNotFoundException>(() => _host.Instances.Ledger("nope"));
        Assert.Equal("/sandbox/provider", SandboxInstances.BasePathOf("default"));
        Assert.Equal("/sandbox/providers/b", SandboxInstances.BasePathOf("b"));
        Assert.Equal(SandboxInstances.InstancesBasePath + "/c-2", SandboxInstances.BasePathOf("c-2"));
    }

    [Fact]
    public async Task An_order_exists_only_at_the_instance_that_took_it()
    {
        var (atDefault, atB) = (SandboxHost.NewRef(), SandboxHost.NewRef());

        using var createdDefault = await _host.CreateAsync(_host.Order(atDefault, "12345610") with { MaxPrice = new ProviderMoney("10.00", "USD") });
        using var createdB = await _b.CreateAsync(_host.Order(atB, "12345610") with { MaxPrice = new ProviderMoney("25.00", "USD") });
        using var defaultAtB = await _b.GetAsync("orders/" + atDefault);
        using var bAtDefault = await _host.GetAsync(atB);
        using var bAtB = await _b.GetAsync("orders/" + atB);
        using var stats = await _host.Client.GetAsync("/sandbox/providers/b/admin/stats");
        var csvB = await _host.Client.GetStringAsync("/sandbox/providers/b/admin/transactions");
        using var setB = await _host.Client.PutAsync("/sandbox/providers/b/admin/balance", new StringContent("{\"balance\":\"42.00\"}", Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (createdDefault.StatusCode, createdB.StatusCode));
        Assert.Equal(HttpStatusCode.NotFound, defaultAtB.StatusCode);
        Assert.Equal(ProviderErrorCodes.RefNotFound, (await defaultAtB.ErrorAsync()).Code);
        Assert.Equal(HttpStatusCode.NotFound, bAtDefault.StatusCode);
        Assert.Equal(HttpStatusCode.OK, bAtB.StatusCode);
        Assert.Equal((await createdB.OrderAsync()).ProviderRef, (await bAtB.OrderAsync()).ProviderRef);
        Assert.Equal(1, JsonDocument.Parse(await stats.Content.ReadAsStringAsync()).RootElement.GetProperty("remembered").GetInt32());
        Assert.Contains(atB, csvB);
        Assert.DoesNotContain(atDefault, csvB);
        Assert.Equal([atDefault], _host.Ledger.CreateArrivals().Select(a => a.ClientRef));
        Assert.Equal([atB], _host.Instances.Ledger("b").CreateArrivals().Select(a => a.ClientRef));
        Assert.Equal(HttpStatusCode.OK, setB.StatusCode);
        Assert.Equal("90.00", await _host.Client.BalanceAsync());
        Assert.Equal("42.00", await _b.BalanceAsync());
        Assert.Equal("100.00", await _host.Client.BalanceAsync("/sandbox/providers/c-2/admin/balance"));
    }

    [Fact]
    public async Task Faults_are_shared_and_only_the_default_admin_sets_them()
    {
        await _host.SetFaultsAsync(new SandboxFaults { RateLimitRate = 1 });

        using var limited = await _b.CreateAsync(_host.Order(SandboxHost.NewRef(), "12345610"));
        using var faultsAtB = await _host.Client.GetAsync("/sandbox/providers/b/admin/faults");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, faultsAtB.StatusCode);
        Assert.Equal(1, _host.Instances.Ledger("b").FaultsInjected()["RateLimit"]);
    }

    [Fact]
    public async Task An_extra_instance_sends_its_signed_callbacks()
    {
        var (failed, delivered) = (SandboxHost.NewRef(), SandboxHost.NewRef());
        var ledgerB = _host.Instances.Ledger("b");

        (await _b.CreateAsync(_host.Order(failed, "12345691"))).Dispose();
        (await _b.CreateAsync(_host.Order(delivered, "12345610"))).Dispose();
        _host.Time.Advance(TimeSpan.FromSeconds(3));
        var failedCallback = Assert.Single(await _host.WaitForCallbacksAsync(failed, 1));
        var deliveredCallback = Assert.Single(await _host.WaitForCallbacksAsync(delivered, 1));

        Assert.Equal(ProviderStatuses.Failed, failedCallback.Callback.Order.Status);
        Assert.Equal(ProviderStatuses.Success, deliveredCallback.Callback.Order.Status);
        Assert.Equal(ContractSignature.V1(SandboxHost.Secret, deliveredCallback.Timestamp, deliveredCallback.Body), deliveredCallback.Signature);
        Assert.Equal(ledgerB.GetTruth(delivered), deliveredCallback.Callback.Order);
        Assert.True(await SandboxHost.PollUntilAsync(() => ledgerB.CallbacksDelivered(delivered) == 1), "instance b should count its delivered callback");
        Assert.Equal(0, _host.Ledger.CallbackProgress(delivered).Planned);
    }
}

public sealed class NewOptionsTests
{
    [Fact]
    public async Task Balance_currency_instances_and_out_of_stock_rate_are_validated()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => SandboxHost.StartAsync(new()
        {
            ["Sandbox:Balance"] = "-1",
            ["Sandbox:BalanceCurrency"] = "usd",
            ["Sandbox:Instances:0"] = "default",
            ["Sandbox:Instances:1"] = "Bad_Name",
            ["Sandbox:Instances:2"] = "ok",
            ["Sandbox:Instances:3"] = "ok",
            ["Sandbox:Instances:4"] = new string('a', 33),
            ["Sandbox:Faults:OutOfStockRate"] = "2",
        }));

        Assert.Contains(error.Failures, f => f.Contains("Sandbox:Balance ", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("BalanceCurrency", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Instances: 'default'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Instances: 'Bad_Name'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("twice", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains($"Instances: '{new string('a', 33)}'", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("Instances: 'ok'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("OutOfStockRate", StringComparison.Ordinal));
    }
}
