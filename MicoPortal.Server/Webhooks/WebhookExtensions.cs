using MicoPortal.Server.Auth;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Shared.Auth;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace MicoPortal.Server.Webhooks;

public static class WebhookExtensions
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<ShopCircuits>();
        services.AddSingleton<WebhookSender>();
        services.AddRecurringJob<WebhookSender>(WebhookSender.JobId,
            sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value is { Enabled: true, SendEnabled: true } ? "*/2 * * * * *" : null,
            s => s.SendPendingAsync(CancellationToken.None));
        services.AddSingleton<SandboxWebhookReceiver>();
        services.AddHostedService<DevelopmentWebhooks>();
        // A shop's answer is the answer: its redirects are not followed (a 3xx is a failed try).
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .AddResilienceHandler("webhook", (pipeline, context) =>
            {
                // Only the timeout of one try (Webhooks:Timeout). No retry: the outbox is the retry, with its backoff over
                // GiveUpAfter, Retry-After and a row per try in the delivery log; a retry in here would send the event
                // again behind the log's back and hold the shop's lane meanwhile. No circuit breaker: ShopCircuits is the
                // shop's circuit, and it acts before an event is claimed, not by failing a request (docs/resilience.md).
                var webhooks = context.ServiceProvider.GetRequiredService<IOptions<WebhookOptions>>();
                pipeline.AddTimeout(new HttpTimeoutStrategyOptions
                {
                    TimeoutGenerator = _ => ValueTask.FromResult(webhooks.Value.Timeout),
                });
            });
        services.AddResilienceTelemetry();
        services.AddAuthorizationBuilder().AddPolicy(WebhooksApi.ReadPolicy, p => p
            .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme, ShopApiKeyAuthentication.Scheme)
            .RequireAssertion(c => ShopApiKeyAuthentication.IsShop(c.User) || c.User.IsInRole(Roles.Admin)));
        return services;
    }

    /// <summary>The API, and the development receiver (with the sandbox only).</summary>
    public static WebApplication MapWebhooksApi(this WebApplication app)
    {
        WebhooksApi.MapRoutes(app);
        if (app.Services.GetRequiredService<IOptions<SandboxOptions>>().Value.Enabled)
        {
            // Authenticated by the signature alone, as a shop's endpoint is.
            app.MapPost(SandboxWebhookReceiver.BasePath + "/{shop}", (string shop, HttpRequest request, SandboxWebhookReceiver receiver, CancellationToken cancellationToken) =>
                receiver.ReceiveAsync(shop, request, cancellationToken)).WithTags("Sandbox").AllowAnonymous();
        }
        return app;
    }
}
