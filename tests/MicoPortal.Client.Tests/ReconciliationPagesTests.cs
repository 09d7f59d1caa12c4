using MicoPortal.Client.Pages.Admin;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Reconciliation;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace MicoPortal.Client.Tests;

public class ReconciliationPagesTests : PortalTestContext
{
    private const string LogHeader = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt";
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private string CurrentUri => Services.GetRequiredService<NavigationManager>().Uri;

    private IRenderedComponent<TestHost> RenderHistory() =>
        RenderInHost<Reconciliations>(p => p.Add(x => x.RefreshInterval, Fast));

    private IRenderedComponent<TestHost> RenderRun(long id) =>
        RenderInHost<ReconciliationRun>(p => p.Add(x => x.Id, id).Add(x => x.RefreshInterval, Fast));

    private void ListProviders(params string[] names)
    {
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            ProvidersApi.Providers.Add(TestData.Provider(name, priority: 100 * (i + 1)));
        }
    }

    private static IRenderedComponent<MudSelect<string>> ProviderSelect(IRenderedComponent<TestHost> cut) =>
        cut.FindComponent<MudSelect<string>>();

    /// <summary>The provider the select shows, as the admin reads it.</summary>
    private static string? ShownProvider(IRenderedComponent<TestHost> cut) =>
        ProviderSelect(cut).Find("input").GetAttribute("value");

    /// <summary>Opens the provider select and returns the names it offers, in order.</summary>
    private static List<string> OpenProviderSelect(IRenderedComponent<TestHost> cut)
    {
        ProviderSelect(cut).Find("div.mud-input-control").MouseDown();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".mud-popover-open .mud-list-item")));
        return [.. cut.FindAll(".mud-popover-open .mud-list-item").Select(i => i.TextContent.Trim())];
    }

    /// <summary>Chooses <paramref name="name"/> in the provider select the way an admin would: open it, click the item.</summary>
    private static void ChooseProvider(IRenderedComponent<TestHost> cut, string name)
    {
        OpenProviderSelect(cut);
        cut.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == name).Click();
        cut.WaitForAssertion(() => Assert.Equal(name, ShownProvider(cut)));
    }

    [Fact]
    public void History_lists_runs_newest_first_with_their_counts_and_links_each_to_its_page()
    {
        Reconciliation.Set(TestData.Reconciliation(1, fileName: "march.csv", statusMismatch: 7, missingAtProvider: 5));
        Reconciliation.Set(TestData.Reconciliation(2, ReconciliationState.Failed, fileName: "broken.csv", error: "disk full", provider: "backup"));

        var cut = RenderHistory();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.reconciliation").Count));
        var rows = cut.FindAll("tr.reconciliation");
        Assert.Equal(["2", "1"], rows.Select(r => r.GetAttribute("data-run-id")));
        Assert.Equal("admin/reconciliations/2", rows[0].QuerySelector("a.run-link")!.GetAttribute("href"));
        Assert.Equal("admin/reconciliations/1", rows[1].QuerySelector("a.run-link")!.GetAttribute("href"));
        Assert.Equal("Failed", rows[0].QuerySelector(".reconciliation-state")!.TextContent.Trim());
        var first = rows[1].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Contains("march.csv", first[1]);
        Assert.Equal("Completed", rows[1].QuerySelector(".reconciliation-state")!.TextContent.Trim());
        Assert.Equal("1.0 min", rows[1].QuerySelector(".run-duration")!.TextContent.Trim());
        Assert.Equal([1200.ToString("N0"), 1180.ToString("N0"), "3", "5", "7", "2", "3", 1180.ToString("N0")], first[5..13]);
    }

    [Fact]
    public void History_shows_whose_log_each_run_was_in_a_provider_column()
    {
        Reconciliation.Set(TestData.Reconciliation(1, provider: "default"));
        Reconciliation.Set(TestData.Reconciliation(2, provider: "backup"));

        var cut = RenderHistory();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.reconciliation").Count));
        var headers = cut.FindAll("table.reconciliations th, .reconciliations table th").Select(th => th.TextContent.Trim()).ToList();
        var column = headers.IndexOf("Provider");
        Assert.True(column >= 0, $"no Provider column in: {string.Join(" | ", headers)}");
        var rows = cut.FindAll("tr.reconciliation");
        Assert.Equal(["backup", "default"], rows.Select(r => r.QuerySelectorAll("td")[column].TextContent.Trim()));
        Assert.Equal(["backup", "default"], rows.Select(r => r.QuerySelector("td.run-provider")!.TextContent.Trim()));
    }

    [Fact]
    public void History_refreshes_while_a_run_is_running_and_stops_once_it_is_done()
    {
        Reconciliation.Set(TestData.Reconciliation(3, ReconciliationState.Running, bytesRead: 10_000));
        var cut = RenderHistory();
        cut.WaitForAssertion(() => Assert.True(Reconciliation.RunListCalls >= 2), Patience);

        Reconciliation.Set(TestData.Reconciliation(3, ReconciliationState.Completed));

        cut.WaitForAssertion(() => Assert.Equal("Completed", cut.Find("tr.reconciliation .reconciliation-state").TextContent.Trim()), Patience);
        // The refresh loop ends by itself once nothing is running: then no further call can come (no sleep-then-look).
        var page = cut.FindComponent<Reconciliations>();
        cut.WaitForAssertion(() => Assert.False(page.Instance.Refreshing), Patience);
        var calls = Reconciliation.RunListCalls;
        cut.Render();
        Assert.Equal(calls, Reconciliation.RunListCalls);
    }

    [Fact]
    public void An_uploaded_log_is_sent_as_is_and_its_run_opens()
    {
        var csv = $"{LogHeader}\n42-1,P-1,SUCCESS,SN-1,1000,4.99,USD,2026-03-14T09:00:00Z\n";
        var cut = RenderHistory();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".empty-state")));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(csv, "provider-march.csv", contentType: "text/csv"));

        cut.WaitForAssertion(() => Assert.EndsWith("/admin/reconciliations/42", CurrentUri), Patience);
        var upload = Assert.Single(Reconciliation.Uploads);
        // No provider is listed, so none is named: the server takes its default.
        Assert.Equal(("provider-march.csv", csv, (string?)null), upload);
    }

    [Fact]
    public void A_refused_upload_shows_the_servers_reason_and_stays()
    {
        Reconciliation.UploadFailure = "The file is not a transaction log.";
        var cut = RenderHistory();

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("a,b\n1,2\n", "notes.csv"));

        cut.WaitForAssertion(() => Assert.Contains("The file is not a transaction log.", cut.Markup), Patience);
        Assert.EndsWith("/", CurrentUri);
    }

    [Fact]
    public void The_sandbox_button_says_when_the_sandbox_is_off()
    {
        Reconciliation.SandboxOff = true;
        var cut = RenderHistory();
        Assert.Empty(cut.FindAll(".sandbox-off"));

        cut.Find("button.reconcile-sandbox").Click();

        cut.WaitForAssertion(() => Assert.Contains("sandbox provider is off", cut.Find(".sandbox-off").TextContent));
        Assert.Equal([(60, (string?)null)], Reconciliation.SandboxRuns);
        Assert.EndsWith("/", CurrentUri);
    }

    [Fact]
    public void The_sandbox_button_queues_the_last_hour_and_opens_the_run()
    {
        Reconciliation.NextId = 9;
        var cut = RenderHistory();

        cut.Find("button.reconcile-sandbox").Click();

        cut.WaitForAssertion(() => Assert.EndsWith("/admin/reconciliations/9", CurrentUri));
        Assert.Equal([(60, (string?)null)], Reconciliation.SandboxRuns);
        Assert.Empty(cut.FindAll(".sandbox-off"));
    }

    [Fact]
    public void The_provider_select_lists_the_providers_in_order_and_starts_at_default()
    {
        // The server lists by priority; default is chosen wherever it stands.
        ListProviders("primary", "default", "backup");

        var cut = RenderHistory();

        cut.WaitForAssertion(() => Assert.Equal("default", ShownProvider(cut)));
        Assert.Empty(ProviderSelect(cut).FindAll(".mud-disabled, input[disabled]"));
        Assert.Equal(["primary", "default", "backup"], OpenProviderSelect(cut));
    }

    [Fact]
    public void Without_a_default_provider_the_select_starts_at_the_first_listed()
    {
        ListProviders("alpha", "beta");

        var cut = RenderHistory();

        cut.WaitForAssertion(() => Assert.Equal("alpha", ShownProvider(cut)));
        cut.Find("button.reconcile-sandbox").Click();
        cut.WaitForAssertion(() => Assert.Equal([(60, (string?)"alpha")], Reconciliation.SandboxRuns));
    }

    [Fact]
    public void A_log_uploaded_with_backup_chosen_is_sent_as_backups()
    {
        ListProviders("default", "backup");
        var csv = $"{LogHeader}\n42-1,P-1,SUCCESS,SN-1,1000,4.99,USD,2026-03-14T09:00:00Z\n";
        var cut = RenderHistory();
        cut.WaitForAssertion(() => Assert.Equal("default", ShownProvider(cut)));

        ChooseProvider(cut, "backup");
        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(csv, "backup-march.csv", contentType: "text/csv"));

        cut.WaitForAssertion(() => Assert.EndsWith("/admin/reconciliations/42", CurrentUri), Patience);
        Assert.Equal(("backup-march.csv", csv, (string?)"backup"), Assert.Single(Reconciliation.Uploads));
    }

    [Fact]
    public async Task The_sandbox_shortcut_reconciles_the_chosen_providers_sandbox()
    {
        ListProviders("default", "backup");
        Reconciliation.NextId = 11;
        var cut = RenderHistory();
        cut.WaitForAssertion(() => Assert.Equal("default", ShownProvider(cut)));

        ChooseProvider(cut, "backup");
        cut.Find("button.reconcile-sandbox").Click();

        cut.WaitForAssertion(() => Assert.EndsWith("/admin/reconciliations/11", CurrentUri));
        Assert.Equal([(60, (string?)"backup")], Reconciliation.SandboxRuns);
        Assert.Equal("backup", (await Reconciliation.GetRunAsync(11)).Provider);
    }

    [Fact]
    public void A_provider_the_sandbox_does_not_serve_is_named_in_the_notice()
    {
        ListProviders("default", "acme");
        Reconciliation.SandboxOff = true;
        var cut = RenderHistory();
        cut.WaitForAssertion(() => Assert.Equal("default", ShownProvider(cut)));

        ChooseProvider(cut, "acme");
        cut.Find("button.reconcile-sandbox").Click();

        cut.WaitForAssertion(() => Assert.Contains("does not serve acme", cut.Find(".sandbox-off").TextContent));
        Assert.Equal([(60, (string?)"acme")], Reconciliation.SandboxRuns);
        Assert.EndsWith("/", CurrentUri);

        // Another choice may be served: the notice about acme goes.
        ChooseProvider(cut, "default");
        Assert.Empty(cut.FindAll(".sandbox-off"));
    }

    [Fact]
    public void One_provider_is_shown_without_a_choice_and_still_named()
    {
        ListProviders("default");
        var cut = RenderHistory();

        cut.WaitForAssertion(() => Assert.Equal("default", ShownProvider(cut)));
        Assert.NotEmpty(ProviderSelect(cut).FindAll(".mud-disabled, input[disabled]"));

        cut.Find("button.reconcile-sandbox").Click();
        cut.WaitForAssertion(() => Assert.Equal([(60, (string?)"default")], Reconciliation.SandboxRuns));
    }

    [Fact]
    public void Nothing_can_be_sent_until_the_providers_are_known()
    {
        ListProviders("default", "backup");
        ProvidersApi.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Reconciliation.Set(TestData.Reconciliation(1));
        var cut = RenderHistory();

        // The runs do not wait for the providers.
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.reconciliation")));
        Assert.NotNull(cut.Find(".providers-loading"));
        Assert.Empty(cut.FindAll("button.upload-log, button.reconcile-sandbox, .log-upload input[type=file]"));

        ProvidersApi.Hold.SetResult();

        // Both in one wait: the select and the end of loading may come in different renders.
        cut.WaitForAssertion(() =>
        {
            Assert.Equal("default", ShownProvider(cut));
            Assert.Empty(cut.FindAll(".providers-loading"));
        });
        cut.Find("button.reconcile-sandbox").Click();
        cut.WaitForAssertion(() => Assert.Equal([(60, (string?)"default")], Reconciliation.SandboxRuns));
    }

    [Fact]
    public void When_the_providers_cannot_be_listed_the_page_works_and_sends_no_provider()
    {
        ProvidersApi.LoadError = new PortalApiException("The portal could not be reached.", 503);
        Reconciliation.Set(TestData.Reconciliation(1));
        var cut = RenderHistory();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.reconciliation")));
        Assert.Empty(cut.FindComponents<MudSelect<string>>());
        Assert.NotNull(cut.Find(".providers-unavailable"));
        Assert.Empty(cut.FindAll(".load-error"));

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText($"{LogHeader}\n", "log.csv"));
        cut.WaitForAssertion(() => Assert.EndsWith("/admin/reconciliations/42", CurrentUri), Patience);
        Assert.Null(Assert.Single(Reconciliation.Uploads).Provider);
    }

    [Fact]
    public void A_run_shows_its_counts_and_the_drill_down_asks_for_the_chosen_kind()
    {
        Reconciliation.Set(TestData.Reconciliation(7, missingInPortal: 3, missingAtProvider: 5, statusMismatch: 1, amountMismatch: 2, invalidRows: 4, confirmed: 1170));
        Reconciliation.Items.Add(new ReconciliationItemDto("900-1", null, ReconciliationItemKind.MissingInPortal, null,
            new ProviderSide("P-900", "SUCCESS", "SN-900", 1000, 4.99m, "USD", TestData.Now), null));
        Reconciliation.Items.Add(new ReconciliationItemDto("501-1", 501, ReconciliationItemKind.StatusMismatch,
            new PortalSide("Failed", 1000, 4.99m, "USD", 1), new ProviderSide("P-501", "SUCCESS", "SN-501", 1000, 4.99m, "USD", TestData.Now),
            "the provider delivered an order the portal failed"));

        var cut = RenderRun(7);

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.finding").Count));
        Assert.Equal("default", cut.Find(".run-provider").TextContent.Trim());
        string Kpi(string key) => cut.Find($"[data-kpi='{key}'] .kpi-value").TextContent.Trim();
        Assert.Equal(1200.ToString("N0"), Kpi("rows"));
        Assert.Equal(1180.ToString("N0"), Kpi("matched"));
        Assert.Equal("3", Kpi("missing-in-portal"));
        Assert.Equal("5", Kpi("missing-at-provider"));
        Assert.Equal("1", Kpi("status-mismatch"));
        Assert.Equal("2", Kpi("amount-mismatch"));
        Assert.Equal("4", Kpi("invalid-rows"));
        Assert.Equal(1170.ToString("N0"), Kpi("confirmed"));
        Assert.Equal((7L, (ReconciliationItemKind?)null, 1, 50), Reconciliation.ItemRequests.Last());
        Assert.Equal("api/v1/reconciliations/7/items.csv", cut.Find("a.export-all").GetAttribute("href"));
        Assert.Empty(cut.FindAll("a.export-kind"));

        cut.FindAll(".mud-tab").Single(t => t.TextContent.Contains("Status mismatch")).Click();

        cut.WaitForAssertion(() => Assert.Equal(ReconciliationItemKind.StatusMismatch, Reconciliation.ItemRequests.Last().Kind));
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("tr.finding")));
        var finding = cut.Find("tr.finding");
        Assert.Equal("statusMismatch", finding.GetAttribute("data-kind"));
        Assert.Equal("orders/501", finding.QuerySelector("a.order-link")!.GetAttribute("href"));
        Assert.Contains("Failed", finding.QuerySelector(".portal-side")!.TextContent);
        Assert.Contains("SUCCESS", finding.QuerySelector(".provider-side")!.TextContent);
        Assert.Contains("the provider delivered an order the portal failed", finding.TextContent);
        Assert.Equal("api/v1/reconciliations/7/items.csv?kind=statusMismatch", cut.Find("a.export-kind").GetAttribute("href"));
    }

    [Fact]
    public void A_run_names_whose_log_it_was()
    {
        Reconciliation.Set(TestData.Reconciliation(12, provider: "backup"));

        var cut = RenderRun(12);

        cut.WaitForAssertion(() => Assert.Equal("backup", cut.Find(".run-summary .run-provider").TextContent.Trim()));
    }

    [Fact]
    public void A_failed_run_shows_its_error()
    {
        Reconciliation.Set(TestData.Reconciliation(8, ReconciliationState.Failed, error: "The stored log file is missing."));

        var cut = RenderRun(8);

        cut.WaitForAssertion(() => Assert.Contains("The stored log file is missing.", cut.Find(".run-error").TextContent));
        Assert.Equal("Failed", cut.Find("h1 ~ .reconciliation-state, .reconciliation-state").TextContent.Trim());
        Assert.Empty(cut.FindAll(".run-progress"));
    }

    [Fact]
    public void A_running_run_shows_its_progress_and_follows_it_to_the_end()
    {
        Reconciliation.Set(TestData.Reconciliation(5, ReconciliationState.Running, fileBytes: 96_000, bytesRead: 48_000));

        var cut = RenderRun(5);

        cut.WaitForAssertion(() => Assert.Contains("(50%)", cut.Find(".run-progress-text").TextContent));
        Reconciliation.Set(TestData.Reconciliation(5, ReconciliationState.Completed, statusMismatch: 11));

        cut.WaitForAssertion(() => Assert.Equal("11", cut.Find("[data-kpi='status-mismatch'] .kpi-value").TextContent.Trim()), Patience);
        Assert.Equal("Completed", cut.Find(".reconciliation-state").TextContent.Trim());
        Assert.Empty(cut.FindAll(".run-progress"));
        Assert.Empty(cut.FindAll(".run-error"));
    }

    [Fact]
    public void An_unknown_run_says_so()
    {
        var cut = RenderRun(404);

        cut.WaitForAssertion(() => Assert.Contains("Reconciliation 404 was not found.", cut.Find(".load-error").TextContent));
        Assert.Empty(cut.FindAll(".kpi-card"));
    }
}
