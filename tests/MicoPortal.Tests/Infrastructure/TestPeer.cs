using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// Lets a test say which address a request comes from, as if it had crossed the network from there: the
/// <see cref="Header"/> replaces the loopback peer address before the portal's own middleware runs. Only a
/// loopback address is replaced, so whatever rewrote the address before (a forwarded-headers middleware
/// trusting everyone) keeps its effect.
/// </summary>
public sealed class TestPeer : IStartupFilter
{
    public const string Header = "X-Test-Peer";

    public static void Add(IServiceCollection services) => services.AddTransient<IStartupFilter, TestPeer>();

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                && IPAddress.TryParse(context.Request.Headers[Header].ToString(), out var peer))
            {
                context.Connection.RemoteIpAddress = peer;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
