using MicoPortal.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Verification;

public static class VerificationExtensions
{
    /// <summary>
    /// Sending orders to their provider and confirming them: the state machine's writer, the dispatch pipeline, the
    /// sweeps and their recurring jobs, and the callback batcher.
    /// </summary>
    public static IServiceCollection AddVerification(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VerificationOptions>().Bind(configuration.GetSection(VerificationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<VerificationPolicy>();
        services.AddSingleton<OrderTransitions>();
        services.AddSingleton<CallbackBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CallbackBatcher>());
        services.AddSingleton<OrderClaims>();
        services.AddSingleton<DeliveryPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryPipeline>());
        services.AddSingleton<DispatchSweep>();
        services.AddSingleton<VerifySweep>();
        services.AddSingleton<StuckSweep>();
        services.AddSingleton<SweepSignals>();
        services.AddTransient<SweepJobs>();

        // Every second (stuck every 30 s) on an instance that verifies; one that only takes orders
        // (Verification:Enabled=false) removes them.
        static string? Every(IServiceProvider sp, string cron) => sp.GetRequiredService<IOptions<VerificationOptions>>().Value.Enabled ? cron : null;
        services.AddRecurringJob<SweepJobs>(SweepJobs.DispatchJobId, sp => Every(sp, "* * * * * *"), j => j.DispatchAsync(CancellationToken.None));
        services.AddRecurringJob<SweepJobs>(SweepJobs.VerifyJobId, sp => Every(sp, "* * * * * *"), j => j.VerifyAsync(CancellationToken.None));
        services.AddRecurringJob<SweepJobs>(SweepJobs.StuckJobId, sp => Every(sp, "*/30 * * * * *"), j => j.FlagStuckAsync(CancellationToken.None));
        return services;
    }
}
