using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers.Sandbox;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Notifications;

public static class NotificationExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.Section))
            .PostConfigure<IOptions<SandboxOptions>>((o, sandbox) => o.Gateway ??= sandbox.Value.Enabled ? SmsGatewayKind.Sandbox : SmsGatewayKind.None)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SandboxSmsSink>();
        // No resilience pipeline here (docs/resilience.md): Notifications:Timeout bounds a whole try in NotificationSender
        // (the look-up of a lost send and the send, with any gateway, the sandbox sink included); Twilio takes no
        // idempotency key, so a retry in here could text the customer twice; the outbox retries after a look-up.
        services.AddHttpClient<TwilioSmsGateway>(TwilioSmsGateway.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddTransient<ISmsGateway>(sp => sp.GetRequiredService<IOptions<NotificationOptions>>().Value.Gateway switch
        {
            SmsGatewayKind.Sandbox => sp.GetRequiredService<SandboxSmsSink>(),
            SmsGatewayKind.Twilio => sp.GetRequiredService<TwilioSmsGateway>(),
            var none => throw new InvalidOperationException($"No SMS gateway is configured (Notifications:Gateway={none})."),
        });
        services.AddSingleton<NotificationSender>();
        services.AddRecurringJob<NotificationSender>(NotificationSender.JobId,
            sp => sp.GetRequiredService<IOptions<NotificationOptions>>().Value.SendsNotifications() ? "*/2 * * * * *" : null,
            s => s.SendPendingAsync(CancellationToken.None));
        return services;
    }

    /// <summary>Sends where a gateway is configured and this instance is meant to send.</summary>
    public static bool SendsNotifications(this NotificationOptions options) =>
        options.Enabled && options.SendEnabled && options.Gateway is SmsGatewayKind.Sandbox or SmsGatewayKind.Twilio;
}
