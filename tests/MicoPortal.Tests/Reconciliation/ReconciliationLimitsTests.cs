using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MicoPortal.Server.Data;
using MicoPortal.Server.Reconciliation;
using MicoPortal.Shared.Reconciliation;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Reconciliation;

/// <summary>Issue 15 item 6e: a reconciliation run always ends; a hostile or broken file cannot keep it (or the memory) forever.</summary>
public sealed class ReconciliationLimitsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private PortalFactory _portal = null!;

    public Task InitializeAsync()
    {
        _portal = new PortalFactory(PortalFactory.NewDataDirectory(), output: output);
        _portal.StartServer();
        // These tests call the watchdog themselves; the minutely one firing at the same moment would take the run
        // first and leave the test reading it mid-run (seen once in CI).
        _portal.Services.GetRequiredService<Hangfire.IRecurringJobManager>().RemoveIfExists(ReconciliationJob.WatchdogJobId);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task A_record_longer_than_the_cap_fails_the_run_with_a_clear_error()
    {
        var (admin, _) = await _portal.SignInAsync(PortalClient.Admin);
        var csv = new StringBuilder(TransactionLogReader.Header).Append('\n')
            .Append("1-1,P1,SUCCESS,S1,500,4.99,USD,2026-12-01T09:00:00Z\n")
            .Append(new string('x', 100 * 1024)).Append(",P2,SUCCESS,S2,500,4.99,USD,2026-12-01T09:00:00Z\n")
            .ToString();

        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var response = await admin.PostAsync("/api/v1/reconciliations", new MultipartFormDataContent { { file, "file", "long-line.csv" } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.ReadAsync<ReconciliationCreated>()).Id;
        ReconciliationDto? run = null;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            run = await admin.GetFromJsonAsync<ReconciliationDto>($"/api/v1/reconciliations/{id}", PortalClient.Json);
            return run!.State is ReconciliationState.Completed or ReconciliationState.Failed;
        }, TimeSpan.FromSeconds(30)));

        Assert.Equal(ReconciliationState.Failed, run!.State);
        Assert.Contains("line 3", run.Error);
        Assert.Contains("65536", run.Error);
    }

    [Fact]
    public async Task An_unexpected_error_fails_the_run_with_the_error_recorded_instead_of_leaving_it_running()
    {
        var files = _portal.Services.GetRequiredService<ReconciliationFiles>();
        var stored = ReconciliationFiles.NewName();
        // A folder where the file should be: opening it fails with an error the job does not expect.
        Directory.CreateDirectory(files.PathForNew(stored));
        var id = await AddRunAsync(stored, ReconciliationState.Queued, heartbeat: null);

        await _portal.Services.GetRequiredService<ReconciliationJob>().RunAsync(id, CancellationToken.None);

        var run = await ReadAsync(id);
        Assert.Equal(ReconciliationState.Failed, run.State);
        Assert.False(string.IsNullOrWhiteSpace(run.Error));
        Assert.NotNull(run.CompletedAt);
    }

    [Fact]
    public async Task A_run_cut_short_three_times_is_failed_instead_of_started_again()
    {
        var files = _portal.Services.GetRequiredService<ReconciliationFiles>();
        var stored = ReconciliationFiles.NewName();
        var id = await AddRunAsync(stored, ReconciliationState.Queued, heartbeat: null);
        var job = _portal.Services.GetRequiredService<ReconciliationJob>();

        for (var restart = 1; restart <= 4; restart++)
        {
            // As after a crash in mid-run: the file is still there, the run is Running and its heartbeat is old.
            await File.WriteAllTextAsync(files.PathForNew(stored), TransactionLogReader.Header + "\n");
            await _portal.WithDbAsync(db => db.ReconciliationRuns.Where(r => r.Id == id).ExecuteUpdateAsync(s => s
                .SetProperty(r => r.State, ReconciliationState.Running)
                .SetProperty(r => r.HeartbeatAt, DateTimeOffset.UtcNow.AddHours(-1))));

            await job.ResumeAbandonedAsync(CancellationToken.None);

            var run = await ReadAsync(id);
            if (restart <= 3)
            {
                Assert.Equal(ReconciliationState.Completed, run.State);
            }
            else
            {
                Assert.Equal(ReconciliationState.Failed, run.State);
                Assert.Contains("after 3 restarts", run.Error);
            }
        }
    }

    private async Task<long> AddRunAsync(string stored, ReconciliationState state, DateTimeOffset? heartbeat)
    {
        await using var db = await _portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var run = new ReconciliationRun
        {
            FileName = "test.csv",
            StoredFile = stored,
            State = state,
            HeartbeatAt = heartbeat,
            UploadedAt = DateTimeOffset.UtcNow.AddHours(-1),
        };
        db.ReconciliationRuns.Add(run);
        await db.SaveChangesAsync();
        return run.Id;
    }

    private Task<ReconciliationRun> ReadAsync(long id) => _portal.WithDbAsync(db => db.ReconciliationRuns.AsNoTracking().SingleAsync(r => r.Id == id));
}
