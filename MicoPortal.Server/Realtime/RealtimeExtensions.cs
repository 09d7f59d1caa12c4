using System.Text.Json.Serialization;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Infrastructure;

namespace MicoPortal.Server.Realtime;

public static class RealtimeExtensions
{
    /// <summary>The live push to dashboards: the change feed every transition writes to, the batching broadcaster and the hub.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<OrderChangeFeed>();
        services.AddSingleton<HubConnections>();
        services.AddOptions<RealtimeOptions>().Bind(configuration.GetSection(RealtimeOptions.Section))
            .Validate(o => o.SessionCheckInterval > TimeSpan.Zero, "Realtime:SessionCheckInterval must be positive.").ValidateOnStart();
        services.AddSingleton<HubSessions>();
        services.AddHostedService<HubSessionChecker>();
        // Enum names on the hub, as on the REST API ("Delivered", not 3).
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .AddPortalBackplane(configuration);
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section));
        services.AddHostedService<OperationsBroadcaster>();
        return services;
    }

    /// <summary>A connection ends when its cookie expires, not only when the user closes the tab (docs/api.md section 3).</summary>
    public static IEndpointRouteBuilder MapOperationsHub(this IEndpointRouteBuilder app)
    {
        app.MapHub<OperationsHub>(Shared.Realtime.OperationsHubContract.Route, o => o.CloseOnAuthenticationExpiration = true).RequireAuthorization(Policies.Operator);
        return app;
    }
}
