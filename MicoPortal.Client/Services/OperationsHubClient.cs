using MicoPortal.Shared.Incidents;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Realtime;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicoPortal.Client.Services;

/// <summary>
/// <see cref="IOperationsHubClient"/> over a SignalR <see cref="HubConnection"/>: automatic reconnect for short
/// drops, and a restart loop with backoff after the connection closes for good (or fails to start).
/// </summary>
public sealed class OperationsHubClient : IOperationsHubClient, IAsyncDisposable
{
    private static readonly TimeSpan[] RestartDelays =
        [TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];

    private readonly HubConnection _connection;
    private readonly ILogger<OperationsHubClient> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private int _started;

    public OperationsHubClient(NavigationManager navigation, ILogger<OperationsHubClient> logger)
    {
        _logger = logger;
        _connection = new HubConnectionBuilder()
            // Relative to the app's base address, like the API calls.
            .WithUrl(navigation.ToAbsoluteUri(OperationsHubContract.Route.TrimStart('/')))
            .WithAutomaticReconnect()
            .AddJsonProtocol(options => PortalJson.Configure(options.PayloadSerializerOptions))
            .Build();

        _connection.On<IReadOnlyList<OrderChange>>(nameof(IOperationsDashboard.OrdersChanged), changes => OrdersChanged?.Invoke(changes));
        _connection.On<MetricsSummary>(nameof(IOperationsDashboard.MetricsUpdated), summary => MetricsUpdated?.Invoke(summary));
        _connection.On<IReadOnlyList<IncidentDto>>(nameof(IOperationsDashboard.IncidentsChanged), incidents => IncidentsChanged?.Invoke(incidents));
        _connection.Reconnecting += _ =>
        {
            SetState(LiveConnectionState.Reconnecting);
            return Task.CompletedTask;
        };
        _connection.Reconnected += _ =>
        {
            SetState(LiveConnectionState.Connected);
            return Task.CompletedTask;
        };
        _connection.Closed += error =>
        {
            SetState(LiveConnectionState.Disconnected);
            if (!_stopping.IsCancellationRequested)
            {
                _logger.LogWarning(error, "Live connection closed; restarting with backoff");
                _ = RunUntilConnectedAsync(_stopping.Token);
            }
            return Task.CompletedTask;
        };
    }

    public LiveConnectionState State { get; private set; } = LiveConnectionState.Disconnected;

    public event Action<LiveConnectionState>? StateChanged;
    public event Action<IReadOnlyList<OrderChange>>? OrdersChanged;
    public event Action<MetricsSummary>? MetricsUpdated;
    public event Action<IReadOnlyList<IncidentDto>>? IncidentsChanged;

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return Task.CompletedTask;
        }
        // Runs in the background: a page's OnAfterRenderAsync must not wait through the backoff.
        _ = RunUntilConnectedAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    private async Task RunUntilConnectedAsync(CancellationToken stopping)
    {
        for (var attempt = 0; !stopping.IsCancellationRequested; attempt++)
        {
            if (attempt > 0)
            {
                var delay = RestartDelays[Math.Min(attempt - 1, RestartDelays.Length - 1)];
                delay += TimeSpan.FromMilliseconds(Random.Shared.Next(0, 1000));
                try
                {
                    await Task.Delay(delay, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (_connection.State != HubConnectionState.Disconnected)
            {
                return;
            }

            SetState(LiveConnectionState.Connecting);
            try
            {
                await _connection.StartAsync(stopping);
                SetState(LiveConnectionState.Connected);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Live connection failed to start (attempt {Attempt})", attempt + 1);
                SetState(LiveConnectionState.Disconnected);
            }
        }
    }

    private void SetState(LiveConnectionState state)
    {
        if (State == state)
        {
            return;
        }
        State = state;
        StateChanged?.Invoke(state);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _connection.DisposeAsync();
        _stopping.Dispose();
    }
}
