using System.Net;
using System.Net.Http.Json;
using System.Text;
using MicoPortal.Server.Providers;

namespace MicoPortal.Sandbox.Tests;

public sealed class ProviderApiTests : IAsyncLifetime
{
    private SandboxHost _host = null!;

    public async Task InitializeAsync() => _host = await SandboxHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Calls_without_the_right_bearer_key_get_401_in_the_provider_error_shape(string? key)
    {
        using var client = _host.NewClient(TimeSpan.FromSeconds(5), key);

        using var response = await client.GetAsync("orders/anything");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(ProviderErrorCodes.Unauthorized, (await response.ErrorAsync()).Code);
    }

    [Fact]
    public async Task Create_is_idempotent_on_clientRef_and_body_and_conflicts_on_a_different_body()
    {
        var clientRef = SandboxHost.NewRef();
        var order = _host.Order(clientRef, "12345610");

        using var first = await _host.CreateAsync(order);
        using var again = await _host.CreateAsync(order with { CallbackUrl = "http://example.invalid/other" });
        using var sameAmount = await _host.CreateAsync(order with { MaxPrice = new ProviderMoney("4.990", "USD") });
        using var conflict = await _host.CreateAsync(order with { Quantity = 101 });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sameAmount.StatusCode);
        var created = await first.OrderAsync();
        Assert.Equal(created.ProviderRef, (await again.OrderAsync()).ProviderRef);
        Assert.StartsWith("SBX-", created.ProviderRef);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var error = await conflict.ErrorAsync();
        Assert.Equal(ProviderErrorCodes.RefConflict, error.Code);
        Assert.False(error.Retryable);
        Assert.Equal(new(4, 1, 2, SentAgainUnasked: 3), _host.Ledger.GetCreateCounts(clientRef));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"clientRef\":\"x\",\"sku\":\"s\",\"account\":{\"userId\":\"12345678\",\"region\":\"GLOBAL\"},\"quantity\":0,\"maxPrice\":{\"amount\":\"1.00\",\"currency\":\"USD\"}}")]
    [InlineData("{\"clientRef\":\"x\",\"sku\":\"s\",\"quantity\":1,\"maxPrice\":{\"amount\":\"1.00\",\"currency\":\"USD\"}}")]
    [InlineData("{\"clientRef\":\"x\",\"sku\":\"s\",\"account\":{\"userId\":\"12345678\",\"region\":\"EU\"},\"quantity\":1,\"maxPrice\":{\"amount\":\"1.00\",\"currency\":\"USD\"}}")]
    [InlineData("{\"clientRef\":\"x\",\"sku\":\"s\",\"account\":{\"userId\":\"12345678\",\"region\":\"GLOBAL\"},\"quantity\":1,\"maxPrice\":{\"amount\":\"abc\",\"currency\":\"USD\"}}")]
    [InlineData("{\"clientRef\":\"x\",\"sku\":\"s\",\"account\":{\"userId\":\"12345678\",\"region\":\"GLOBAL\"},\"quantity\":1,\"maxPrice\":{\"amount\":\"1.00\",\"currency\":\"USD\"},\"callbackUrl\":\"not a url\"}")]
    public async Task Bad_create_bodies_get_400_VALIDATION(string body)
    {
        using var response = await _host.Client.PostAsync("orders", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ProviderErrorCodes.Validation, (await response.ErrorAsync()).Code);
        Assert.Equal(0, _host.Ledger.CreatesCommitted("x"));
    }

    [Fact]
    public async Task Unknown_refs_are_404_REF_NOT_FOUND()
    {
        using var response = await _host.GetAsync(SandboxHost.NewRef());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = await response.ErrorAsync();
        Assert.Equal(ProviderErrorCodes.RefNotFound, error.Code);
    }

    [Fact]
    public async Task Query_answers_orders_and_notFound()
    {
        var known = SandboxHost.NewRef();
        var unknown = SandboxHost.NewRef();
        (await _host.CreateAsync(_host.Order(known, "12345610"))).Dispose();

        using var response = await _host.QueryAsync(known, unknown, known);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ProviderQueryResponse>(ProviderJson.Options))!;
        Assert.Equal(known, Assert.Single(body.Orders).ClientRef);
        Assert.Equal(unknown, Assert.Single(body.NotFound));
    }

    [Fact]
    public async Task Query_takes_at_most_500_refs()
    {
        using var ok = await _host.QueryAsync(Enumerable.Range(0, 500).Select(i => $"r{i}").ToArray());
        using var tooMany = await _host.QueryAsync(Enumerable.Range(0, 501).Select(i => $"r{i}").ToArray());

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(ProviderErrorCodes.Validation, (await tooMany.ErrorAsync()).Code);
    }

    [Theory]
    [InlineData("12345678", "GLOBAL", true, "Player5678", "GLOBAL")]
    [InlineData("123456", "MENA", true, "Player3456", "MENA")]
    [InlineData("123456789000", "GLOBAL", true, "Player9000", "MENA")]
    [InlineData("1234500", "MENA", true, "Player4500", "GLOBAL")]
    [InlineData("12345", "GLOBAL", false, null, null)]
    [InlineData("1234567890123", "GLOBAL", false, null, null)]
    [InlineData("12a456", "GLOBAL", false, null, null)]
    public async Task Lookup_validates_ids_and_moves_ids_ending_in_00_to_the_other_region(
        string userId, string region, bool valid, string? nickname, string? answeredRegion)
    {
        using var response = await _host.Client.PostAsJsonAsync("accounts/lookup", new ProviderLookupRequest(userId, region), ProviderJson.Options);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<ProviderLookupResponse>(ProviderJson.Options))!;
        Assert.Equal(new ProviderLookupResponse(valid, nickname, answeredRegion), body);
    }

    [Fact]
    public async Task Ledger_exports_the_transaction_log_for_a_time_range()
    {
        var start = _host.Time.GetUtcNow();
        var delivered = SandboxHost.NewRef();
        var failed = SandboxHost.NewRef();
        (await _host.CreateAsync(_host.Order(delivered, "12345610", quantity: 250))).Dispose();
        (await _host.CreateAsync(_host.Order(failed, "12345691"))).Dispose();
        _host.Time.Advance(TimeSpan.FromSeconds(3));

        var rows = _host.Ledger.Export(start, _host.Time.GetUtcNow()).Where(r => r.ClientRef == delivered || r.ClientRef == failed).ToList();
        var csv = _host.Ledger.ExportCsv(start, _host.Time.GetUtcNow());

        var success = Assert.Single(rows, r => r.ClientRef == delivered);
        Assert.Equal((ProviderStatuses.Success, 250, "4.99", "USD"), (success.Status, success.Quantity, success.Amount, success.Currency));
        Assert.Equal(_host.Ledger.GetTruth(delivered)!.Proof!.Serial, success.Serial);
        Assert.Equal(ProviderStatuses.Failed, Assert.Single(rows, r => r.ClientRef == failed).Status);
        Assert.StartsWith("clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n", csv);
        Assert.Contains($"{delivered},{success.ProviderRef},SUCCESS,{success.Serial},250,4.99,USD,", csv);
        Assert.Empty(_host.Ledger.Export(start.AddDays(-2), start.AddDays(-1)));
    }
}
