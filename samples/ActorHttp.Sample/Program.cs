using ActorHttp.Actors;                  // ServerSettings
using ActorHttp.Handlers.StaticFiles;    // StaticFileSettings
using ActorHttp.Handlers.Uploads;        // UploadSettings
using ActorHttp.Hosting;                 // ServerConfiguration, RouteBuilder, WithActorHttpServer
using Akka.Actor;                        // Props
using Akka.Hosting;                      // AddAkka, AddHocon
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
var services = builder.Services;
var config = ServerConfiguration.Load(configFiles: args);
var settings = ServerSettings.FromConfig(config);
var listenSocket = AkkaBuilderExtensions.BindListenSocket(settings);   // fails at once if the port is taken
services.AddAkka("actorhttp", akka => akka
    .AddHocon(config, HoconAddMode.Prepend)
    .WithActorHttpServer(settings, new RouteBuilder()
        .AddDemoRoutes(StaticFileSettings.FromConfig(config), UploadSettings.FromConfig(config))
        .MapGet("/greet/{name}", Props.Create<GreetingHandler>())
        .Map(["GET", "POST"], "/weather", Props.Create<WeatherHandler>(), instances: 4)
        .Routes, listenSocket));
await builder.Build().RunAsync();
