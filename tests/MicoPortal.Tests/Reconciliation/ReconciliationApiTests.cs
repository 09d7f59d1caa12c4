using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Audit;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Reconciliation;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Reconciliation;

/// <summary>
/// The whole loop on the real server: orders delivered, failed and reversed by the built-in sandbox,
/// the sandbox's transaction log exported with discrepancies injected, uploaded, reconciled.
/// </summary>
public sealed class ReconciliationApiTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int InjectedPerKind = 3;

    private readonly PortalFactory _portal = new(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
    {
        ["Reconciliation:MaxFileBytes"] = "200000",
    }, output);

    public Task InitializeAsync()
    {
        _portal.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_log_with_injected_discrepancies_of_every_kind_is_reconciled_to_exactly_those()
    {
        // 80 orders in 4 waves a second apart (so some are sent well inside the log's time range):
        // most delivered, some failed (91) and some reversed after delivery (95).
        var shop = _portal.ShopClient();
        var ids = new List<long>();
        for (var wave = 0; wave < 4; wave++)
        {
            for (var i = 0; i < 20; i++)
            {
                var suffix = i switch { 0 or 1 => "91", 2 or 3 => "95", _ => "10" };
                var placed = await (await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(micoUserId: $"5{wave}{i:00}000{suffix}"))).ReadAsync<OrderDto>();
                ids.Add(placed.Id);
            }

            await Task.Delay(1_000);
        }

        Assert.True(await PortalClient.EventuallyAsync(() => _portal.WithDbAsync(async db =>
                await db.Orders.CountAsync(o => o.Status == OrderStatus.Delivered || o.Status == OrderStatus.Failed || o.Status == OrderStatus.Reversed) == ids.Count
                && await db.Orders.CountAsync(o => o.Status == OrderStatus.Reversed) == 8), TimeSpan.FromSeconds(60)),
            "every order should settle (the reversals come 10 s after delivery)");

        var (csv, injected) = await ExportSandboxLogAsync();
        Assert.All(new[] { "missingAtProvider", "missingInPortal", "statusMismatch", "amountMismatch" },
            kind => Assert.Equal(InjectedPerKind, injected.Count(d => d.Kind == kind)));

        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        var run = await UploadAndWaitAsync(admin, csv);
        output.WriteLine($"rows {run.Rows}, matched {run.Matched}, missing in portal {run.MissingInPortal}, missing at provider {run.MissingAtProvider}, status {run.StatusMismatch}, amount {run.AmountMismatch}, confirmed {run.Confirmed}");

        Assert.Equal(ReconciliationState.Completed, run.State);
        Assert.Equal(ids.Count, run.Rows); // 3 rows dropped, 3 foreign rows added
        Assert.Equal(InjectedPerKind, run.MissingInPortal);
        Assert.Equal(InjectedPerKind, run.MissingAtProvider);
        Assert.Equal(InjectedPerKind, run.StatusMismatch);
        Assert.Equal(InjectedPerKind, run.AmountMismatch);
        Assert.Equal(0, run.InvalidRows);
        // Every row but the foreign, the status-flipped and the amount-changed ones agrees.
        Assert.Equal(ids.Count - 3 * InjectedPerKind, run.Matched);

        foreach (var kind in new[] { "missingAtProvider", "missingInPortal", "statusMismatch", "amountMismatch" })
        {
            var items = await admin.GetFromJsonAsync<PagedResult<ReconciliationItemDto>>($"/api/v1/reconciliations/{run.Id}/items?kind={kind}", PortalClient.Json);
            Assert.Equal(
                injected.Where(d => d.Kind == kind).Select(d => d.ClientRef).Order(),
                items!.Items.Select(i => i.ClientRef).Order());
        }

        // Every finding about a portal order flags it disputed; no other order is.
        var expectedDisputed = injected.Where(d => d.Kind != "missingInPortal").Select(d => long.Parse(d.ClientRef.Split('-')[0])).Order().ToList();
        var disputed = await _portal.WithDbAsync(db => db.Orders.Where(o => o.Disputed).Select(o => o.Id).OrderBy(id => id).ToListAsync());
        Assert.Equal(expectedDisputed, disputed);
        Assert.All(await _portal.WithDbAsync(db => db.Orders.Where(o => o.Disputed).Select(o => o.DisputeReason).ToListAsync()),
            reason => Assert.StartsWith("transaction log:", reason));

        // The agreeing delivered orders got their ledger confirmation; the disputed ones did not.
        var confirmed = await _portal.WithDbAsync(db => db.Orders.Where(o => o.LedgerConfirmedAt != null).Select(o => o.Id).ToListAsync());
        Assert.Equal(run.Confirmed, confirmed.Count);
        Assert.True(confirmed.Count >= 50, $"most delivered orders should be confirmed by the log ({confirmed.Count})");
        Assert.Empty(confirmed.Intersect(expectedDisputed));
        var order = await (await admin.GetAsync($"/api/v1/orders/{confirmed[0]}")).ReadAsync<OrderDto>();
        Assert.Contains(order.Confirmations, c => c.Source == ConfirmationSource.Ledger);

        // The mismatches export as CSV, and the run is on record in the audit ledger.
        var export = await admin.GetStringAsync($"/api/v1/reconciliations/{run.Id}/items.csv");
        Assert.Equal(1 + 4 * InjectedPerKind, export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(await _portal.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.ReconciliationCompleted)));
        Assert.True(await _portal.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditActions.ReconciliationUploaded && e.Actor == PortalClient.Admin)));
        var history = await admin.GetFromJsonAsync<PagedResult<ReconciliationDto>>("/api/v1/reconciliations", PortalClient.Json);
        Assert.Equal(run.Id, Assert.Single(history!.Items).Id);
    }

    [Fact]
    public async Task Unreadable_rows_are_counted_and_listed_not_skipped()
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        var csv = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n"
            + "1-1,P1,EXPLODED,,5,1.00,USD,2026-01-01T00:00:00Z\n"
            + "2-1,P2,SUCCESS,S2,many,1.00,USD,2026-01-01T00:00:01Z\n"
            + "\"3-1\",\"P,3\",SUCCESS,\"S \"\"3\"\"\",5,1.00,USD,not-a-time\n"
            + "only,three,fields\n";

        var run = await UploadAndWaitAsync(admin, csv);

        Assert.Equal(ReconciliationState.Completed, run.State);
        Assert.Equal(4, run.Rows);
        Assert.Equal(4, run.InvalidRows);
        // The counts travel flat, as docs/api.md section 7 lists them, not as the object the code keeps them in.
        using (var json = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/reconciliations/{run.Id}")))
        {
            var fields = json.RootElement.EnumerateObject().Select(p => p.Name).ToHashSet();
            Assert.Superset(
                new HashSet<string> { "id", "state", "rows", "matched", "missingInPortal", "missingAtProvider", "statusMismatch", "amountMismatch", "startedAt", "completedAt" },
                fields);
            Assert.DoesNotContain("counts", fields);
            Assert.Equal(4, json.RootElement.GetProperty("rows").GetInt64());
            Assert.Equal(4, json.RootElement.GetProperty("invalidRows").GetInt64());
        }

        var items = await admin.GetFromJsonAsync<PagedResult<ReconciliationItemDto>>($"/api/v1/reconciliations/{run.Id}/items?kind=invalidRow", PortalClient.Json);
        Assert.Equal(4, items!.Total);
        Assert.Contains(items.Items, i => i.Note!.Contains("EXPLODED", StringComparison.Ordinal));
        Assert.Contains(items.Items, i => i.Note!.Contains("not-a-time", StringComparison.Ordinal) && i.ClientRef == "3-1");
    }

    [Fact]
    public async Task The_items_export_reads_back_whole_with_formula_looking_values_defused()
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        var csv = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n"
            + "\"=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\",\"P,\"\"1\"\"\nsecond line\",SUCCESS,@SUM(A1),500,4.99,USD,2026-01-01T00:00:00Z\n"
            + "9-1,+P2,-BOGUS,\"S, 2\",1,1.00,USD,2026-01-01T00:00:01Z\n";

        var run = await UploadAndWaitAsync(admin, csv);
        var export = await admin.GetStringAsync($"/api/v1/reconciliations/{run.Id}/items.csv");

        Assert.Equal((1, 1), (run.MissingInPortal, run.InvalidRows));
        var rows = CsvFiles.Read(export).ToDictionary(r => r["kind"]);
        var foreign = rows["missingInPortal"];
        Assert.Equal("'=HYPERLINK(\"http://x\",\"a,b\")", foreign["clientRef"]);
        Assert.Equal("P,\"1\"\nsecond line", foreign["providerRef"]);
        Assert.Equal("'@SUM(A1)", foreign["serial"]);
        Assert.Equal("4.99", foreign["amount"]);
        var invalid = rows["invalidRow"];
        Assert.Equal("'+P2", invalid["providerRef"]);
        Assert.Equal("'-BOGUS", invalid["providerStatus"]);
        Assert.Equal("S, 2", invalid["serial"]);
        Assert.Equal("line 4: status '-BOGUS' is not PENDING, SUCCESS, FAILED or REVERSED", invalid["note"]); // the row before took lines 2 and 3
    }

    [Theory]
    [InlineData("text/csv-body", "UNSUPPORTED_MEDIA_TYPE", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("wrong-header", "VALIDATION", HttpStatusCode.BadRequest)]
    [InlineData("empty", "VALIDATION", HttpStatusCode.BadRequest)]
    [InlineData("no-file-field", "VALIDATION", HttpStatusCode.BadRequest)]
    [InlineData("too-large", "PAYLOAD_TOO_LARGE", HttpStatusCode.RequestEntityTooLarge)]
    public async Task A_bad_upload_gets_a_problem_and_queues_nothing(string kind, string code, HttpStatusCode status)
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        HttpContent content = kind switch
        {
            "text/csv-body" => new StringContent("clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n", Encoding.UTF8, "text/csv"),
            "wrong-header" => FileForm("id;status;amount\n1;ok;2\n"),
            "empty" => FileForm(""),
            "no-file-field" => new MultipartFormDataContent { { new StringContent("hello"), "note" } },
            _ => FileForm("clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n" + string.Concat(Enumerable.Repeat("1-1,P,SUCCESS,S,5,1.00,USD,2026-01-01T00:00:00Z\n", 5_000))),
        };

        var response = await admin.PostAsync("/api/v1/reconciliations", content);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.ReadAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(0, await _portal.WithDbAsync(db => db.ReconciliationRuns.CountAsync()));
        // The folder is made by the first upload written; a request refused before writing leaves none.
        var folder = Path.Combine(_portal.DataDirectory, "reconciliations");
        Assert.True(!Directory.Exists(folder) || Directory.GetFiles(folder).Length == 0, "a refused upload should leave no file behind");
    }

    [Fact]
    public async Task Unknown_runs_and_kinds_are_client_errors()
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);

        var missing = await admin.GetAsync("/api/v1/reconciliations/4242");
        var badKind = await admin.GetAsync("/api/v1/reconciliations/4242/items?kind=everything");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(ErrorCodes.ReconciliationNotFound, (await missing.ReadAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badKind.StatusCode);
    }

    private async Task<(string Csv, List<SandboxDiscrepancy> Injected)> ExportSandboxLogAsync()
    {
        using var sandbox = _portal.CreateClient();
        sandbox.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "dev-provider-key");
        var from = DateTimeOffset.UtcNow.AddMinutes(-10).ToString("O");
        var response = await sandbox.GetAsync($"/sandbox/admin/transactions?from={Uri.EscapeDataString(from)}&missing={InjectedPerKind}&extra={InjectedPerKind}&status={InjectedPerKind}&amount={InjectedPerKind}&seed=7");
        response.EnsureSuccessStatusCode();
        var injected = JsonSerializer.Deserialize<List<SandboxDiscrepancy>>(response.Headers.GetValues("X-Sandbox-Injected").Single(), PortalClient.Json)!;
        return (await response.Content.ReadAsStringAsync(), injected);
    }

    private static MultipartFormDataContent FileForm(string csv)
    {
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent { { file, "file", "provider-log.csv" } };
    }

    private static async Task<ReconciliationDto> UploadAndWaitAsync(HttpClient admin, string csv)
    {
        var response = await admin.PostAsync("/api/v1/reconciliations", FileForm(csv));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var created = await response.ReadAsync<ReconciliationCreated>();
        ReconciliationDto? run = null;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            run = await admin.GetFromJsonAsync<ReconciliationDto>($"/api/v1/reconciliations/{created.Id}", PortalClient.Json);
            return run!.State is ReconciliationState.Completed or ReconciliationState.Failed;
        }, TimeSpan.FromSeconds(30)), "the reconciliation should finish");
        return run!;
    }
}
