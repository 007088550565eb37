package devserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	clusterName = "active"
	// One shard: SQLite has a single writer anyway, and every extra shard is
	// more start-up work and more idle timers. The count is written into the
	// database, so changing it later would need a new data directory.
	numHistoryShards = 1
	// Closed workflows stay visible (CLI, UI) for a week of demoing.
	retention = 7 * 24 * time.Hour
	storeName = "sqlite-default"
)

// memoryDBSeq names in-memory databases: SQLite's shared cache is per
// process, so the name only has to be unique within it.
var memoryDBSeq atomic.Int64

// prepareDatabase returns the SQLite config of the server and makes sure the
// schema and the namespace exist. file == "" means in memory, where the
// plugin creates the schema itself on the first connection.
func prepareDatabase(file, namespace string, attrs map[string]enumspb.IndexedValueType) (*config.SQL, error) {
	cfg := &config.SQL{PluginName: sqliteplugin.PluginName}
	if file == "" {
		cfg.DatabaseName = fmt.Sprintf("perfloop-devserver-%d-%d", os.Getpid(), memoryDBSeq.Add(1))
		cfg.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
	} else {
		cfg.DatabaseName = file
		// WAL with synchronous=normal stays consistent after a crash and only
		// risks the last moments of dev data on power loss, for far fewer fsyncs.
		cfg.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal"}
		fresh, err := isEmptyFile(file)
		if err != nil {
			return nil, fmt.Errorf("inspect temporal database %s: %w", file, err)
		}
		if fresh {
			if err := sqliteschema.SetupSchema(cfg); err != nil {
				return nil, fmt.Errorf("create temporal schema in %s: %w", file, err)
			}
		}
	}

	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, attrs)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", namespace, err)
	}
	ns.Detail.Config.Retention = durationpb.New(retention)
	// Registering before the server starts means the namespace is there the
	// moment the frontend answers, with no RPC and no cache refresh to wait for.
	if err := sqliteschema.CreateNamespaces(cfg, ns); err != nil {
		return nil, fmt.Errorf("register namespace %s: %w", namespace, err)
	}
	return cfg, nil
}

func isEmptyFile(name string) (bool, error) {
	st, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	// A crash between creating the file and writing the schema leaves it empty.
	return st.Size() == 0, nil
}

func newTemporal(p ports, sqlCfg *config.SQL, opts Options, log temporalLogger) (temporal.Server, error) {
	addr := func(port int) string { return net.JoinHostPort(loopback, strconv.Itoa(port)) }
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: loopback}}
	}
	frontend := service(p.frontend)
	frontend.RPC.HTTPPort = p.frontendHTTP

	cfg := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: loopback},
			// Metrics and pprof stay nil/zero: off, and no ports to collide.
		},
		Persistence: config.Persistence{
			DefaultStore:     storeName,
			VisibilityStore:  storeName,
			NumHistoryShards: numHistoryShards,
			DataStores:       map[string]config.DataStore{storeName: {SQL: sqlCfg}},
		},
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {
					Enabled:                true,
					InitialFailoverVersion: 1,
					RPCAddress:             addr(p.frontend),
					HTTPAddress:            addr(p.frontendHTTP),
				},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			string(primitives.FrontendService): frontend,
			string(primitives.HistoryService):  service(p.history),
			string(primitives.MatchingService): service(p.matching),
			string(primitives.WorkerService):   service(p.worker),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		// The worker service (schedules, batch operations) dials the frontend
		// through this address.
		PublicClient: config.PublicClient{HostPort: addr(p.frontend)},
	}

	single := func(port int) static.Hosts { return static.SingleLocalHost(addr(port)) }
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		// Static membership instead of ringpop: one node needs no gossip, and
		// joining a ring is most of a cold start.
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: single(p.frontend),
			primitives.HistoryService:  single(p.history),
			primitives.MatchingService: single(p.matching),
			primitives.WorkerService:   single(p.worker),
		}),
		temporal.WithLogger(log),
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return authorization.NewNoopClaimMapper() }),
		temporal.WithDynamicConfigClient(dynamicConfig(opts.DynamicConfig)),
	)
	if err != nil {
		return nil, fmt.Errorf("configure temporal server: %w", err)
	}
	return srv, nil
}

// dynamicConfig is the dev defaults with the caller's overrides on top.
func dynamicConfig(overrides map[string]any) dynamicconfig.StaticClient {
	dc := dynamicconfig.StaticClient{
		// Human tasks go through Workflow Updates and Update-With-Start; both
		// default to on in this version, pinned so an upgrade cannot silently
		// turn them off under the tests.
		dynamicconfig.FrontendEnableUpdateWorkflowExecution.Key():              true,
		dynamicconfig.FrontendEnableUpdateWorkflowExecutionAsyncAccepted.Key(): true,
		// A cycle fans out one MemberWorkflow per member. Production keeps
		// Temporal's default (2,000 pending children) and CycleWorkflow starts
		// children in bounded batches; dev and tests leave headroom for
		// experiments with large demo organisations.
		dynamicconfig.NumPendingChildExecutionsLimitError.Key(): 10000,
		dynamicconfig.NumPendingActivitiesLimitError.Key():      10000,
		// Search attributes added at run time are visible to the next query,
		// not after a cache refresh: tests assert right after adding them.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// The UI and tests poll list/count queries far above the default 10/s.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 200,
		// One partition per task queue: with several, a poller and a task can
		// sit in different partitions until forwarding matches them, which
		// adds latency to every step on a single node.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// The default cache (128k executions) is sized for a production host;
		// several test servers share one process.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
	}
	for k, v := range overrides {
		dc[dynamicconfig.MakeKey(k)] = v
	}
	return dc
}
