using Hangfire;
using Hangfire.Common;
using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>The one guard around every recurring job (<see cref="RecurringJobRunner"/>) and the declared schedules.</summary>
public sealed class RecurringJobRunnerTests
{
    private readonly Lifetime _lifetime = new();

    private RecurringJobRunner Runner() => new(_lifetime, TimeProvider.System, NullLogger<RecurringJobRunner>.Instance);

    [Fact]
    public async Task A_run_that_finds_the_previous_one_of_its_job_still_working_returns_at_once()
    {
        var runner = Runner();
        var release = new TaskCompletionSource();
        var rounds = 0;
        var first = runner.RunAsync("job", TimeSpan.Zero, async _ =>
        {
            Interlocked.Increment(ref rounds);
            await release.Task;
            return false;
        }, CancellationToken.None);

        var second = runner.RunAsync("job", TimeSpan.Zero, _ => { Interlocked.Increment(ref rounds); return Task.FromResult(false); }, CancellationToken.None);
        Assert.True(second.IsCompletedSuccessfully, "the second run should return without waiting");
        var otherJob = runner.RunAsync("other", TimeSpan.Zero, _ => { Interlocked.Increment(ref rounds); return Task.FromResult(false); }, CancellationToken.None);
        await otherJob;
        Assert.Equal(2, rounds); // the first round and the other job's, not the second run's

        release.SetResult();
        await first;
        await runner.RunAsync("job", TimeSpan.Zero, _ => { Interlocked.Increment(ref rounds); return Task.FromResult(false); }, CancellationToken.None);
        Assert.Equal(3, rounds); // free again once the first run ended
    }

    [Fact]
    public async Task Rounds_go_on_while_there_is_work_and_stop_when_a_round_finds_none()
    {
        var left = 5;
        var rounds = 0;
        await Runner().RunAsync("job", TimeSpan.FromMinutes(1), _ => { rounds++; return Task.FromResult(--left > 0); }, CancellationToken.None);
        Assert.Equal(5, rounds);
    }

    [Fact]
    public async Task A_zero_budget_is_one_round_even_with_work_left()
    {
        var rounds = 0;
        await Runner().RunAsync("job", TimeSpan.Zero, _ => { rounds++; return Task.FromResult(true); }, CancellationToken.None);
        Assert.Equal(1, rounds);
    }

    [Fact]
    public async Task A_failed_round_never_fails_the_job_and_the_next_round_is_tried_after_the_pause()
    {
        var times = new List<DateTimeOffset>();
        await Runner().RunAsync("job", TimeSpan.FromSeconds(30), _ =>
        {
            times.Add(DateTimeOffset.UtcNow);
            return times.Count < 3 ? throw new InvalidOperationException("database is locked") : Task.FromResult(false);
        }, CancellationToken.None);

        Assert.Equal(3, times.Count);
        Assert.True(times[1] - times[0] >= RecurringJobRunner.ErrorPause - TimeSpan.FromMilliseconds(50), $"paused {times[1] - times[0]}");
    }

    [Fact]
    public async Task An_idle_wait_keeps_the_run_going_within_its_budget_and_the_host_stopping_ends_it()
    {
        var rounds = 0;
        var run = Runner().RunAsync("job", TimeSpan.FromMinutes(1), _ => { rounds++; return Task.FromResult(false); }, CancellationToken.None,
            whenIdle: token => Task.Delay(TimeSpan.FromMilliseconds(20), token));
        await Task.Delay(300);
        Assert.False(run.IsCompleted, "an idle sweep waits and claims again within its budget");
        _lifetime.Stop();
        await run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(rounds > 3, $"rounds: {rounds}");
    }

    [Fact]
    public async Task Work_a_run_started_finishes_before_the_next_run_may_start()
    {
        var runner = Runner();
        var background = new TaskCompletionSource();
        var run = runner.RunAsync("job", TimeSpan.Zero, _ => Task.FromResult(false), CancellationToken.None, whenDone: () => background.Task);
        await Task.Delay(50);
        Assert.False(run.IsCompleted);
        var secondRan = false;
        await runner.RunAsync("job", TimeSpan.Zero, _ => { secondRan = true; return Task.FromResult(false); }, CancellationToken.None);
        Assert.False(secondRan, "the guard is held until the first run's background work is done");

        background.SetResult();
        await run;
        await runner.RunAsync("job", TimeSpan.Zero, _ => { secondRan = true; return Task.FromResult(false); }, CancellationToken.None);
        Assert.True(secondRan);
    }

    [Fact]
    public async Task A_continuous_job_hands_over_to_one_waiting_successor_when_its_run_ends()
    {
        var runner = Runner();
        var firstEnds = new TaskCompletionSource();
        var firstDone = false;
        // A zero budget: the first run ends after its idle wait, which the test controls.
        var first = runner.RunAsync("sweep", TimeSpan.Zero, _ => Task.FromResult(false), CancellationToken.None,
            whenIdle: _ => firstEnds.Task, whenDone: () => { firstDone = true; return Task.CompletedTask; });

        // The next trigger waits as the successor; a third returns at once.
        var successorRanAfterFirst = new TaskCompletionSource<bool>();
        var successor = runner.RunAsync("sweep", TimeSpan.Zero, _ => { successorRanAfterFirst.TrySetResult(firstDone); return Task.FromResult(false); },
            CancellationToken.None, whenIdle: _ => Task.CompletedTask);
        var thirdRan = false;
        var third = runner.RunAsync("sweep", TimeSpan.Zero, _ => { thirdRan = true; return Task.FromResult(false); }, CancellationToken.None,
            whenIdle: _ => Task.CompletedTask);
        Assert.True(third.IsCompletedSuccessfully, "only one successor waits");
        Assert.False(successor.IsCompleted, "the successor waits while the first run lasts");

        // Before the hand-over, the successor returned at once and nothing ran until Hangfire's next trigger (none comes here).
        firstEnds.SetResult();
        await first;
        Assert.True(await successorRanAfterFirst.Task.WaitAsync(TimeSpan.FromSeconds(5)), "the successor ran after the first run had ended");
        await successor;
        Assert.False(thirdRan);
    }

    [Fact]
    public async Task A_waiting_successor_gives_up_when_the_host_stops()
    {
        var runner = Runner();
        var release = new TaskCompletionSource<bool>();
        var first = runner.RunAsync("sweep", TimeSpan.FromMinutes(1), _ => release.Task, CancellationToken.None, whenIdle: _ => Task.CompletedTask);
        var successorRan = false;
        var successor = runner.RunAsync("sweep", TimeSpan.Zero, _ => { successorRan = true; return Task.FromResult(false); }, CancellationToken.None, whenIdle: _ => Task.CompletedTask);
        Assert.False(successor.IsCompleted);

        _lifetime.Stop();
        await successor.WaitAsync(TimeSpan.FromSeconds(5));
        release.SetResult(false);
        await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(successorRan, "a successor never starts once the host is stopping");
    }

    [Fact]
    public void Declared_jobs_are_scheduled_and_a_switched_off_one_is_removed()
    {
        var services = new ServiceCollection();
        services.AddRecurringJob<SampleJob>("always", "*/2 * * * * *", j => j.RunAsync());
        services.AddRecurringJob<SampleJob>("off", _ => null, j => j.RunAsync());
        var manager = new RecordingJobManager();
        services.AddSingleton<IRecurringJobManager>(manager);
        services.BuildServiceProvider().ScheduleRecurringJobs();

        Assert.Equal(["always */2 * * * * *"], manager.Added);
        Assert.Equal(["off"], manager.Removed);
    }

    public sealed class SampleJob
    {
        public Task RunAsync() => Task.CompletedTask;
    }

    private sealed class RecordingJobManager : IRecurringJobManager
    {
        public List<string> Added { get; } = [];

        public List<string> Removed { get; } = [];

        public void AddOrUpdate(string recurringJobId, Job job, string cronExpression, RecurringJobOptions options) => Added.Add($"{recurringJobId} {cronExpression}");

        public void Trigger(string recurringJobId) => throw new NotSupportedException();

        public void RemoveIfExists(string recurringJobId) => Removed.Add(recurringJobId);
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stop();

        public void Stop() => _stopping.Cancel();
    }
}
