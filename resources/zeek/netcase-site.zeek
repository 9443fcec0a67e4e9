##! Netcase site policy, loaded by absolute path in place of Zeek's site/local.zeek.
##!
##! Netcase runs on air-gapped laptops, so this file loads no script that resolves host
##! names or contacts the network. Netcase also sets ZEEK_DNS_FAKE=1 for every run, which
##! makes Zeek answer its own DNS lookups from nothing. Without -b, Zeek has already loaded
##! its base scripts (every protocol analyzer and log Netcase reads) before this file.

# MD5, SHA1 and SHA256 of every file seen, for files.log.
@load base/files/hash

event file_new(f: fa_file)
	{
	Files::add_analyzer(f, Files::ANALYZER_MD5);
	Files::add_analyzer(f, Files::ANALYZER_SHA1);
	Files::add_analyzer(f, Files::ANALYZER_SHA256);
	}

# These streams are disabled because their lines carry the wall-clock time of the run rather
# than the time of the traffic, or describe the Zeek process instead of the capture:
#   packet_filter (time the filter was installed), reporter (Zeek's own messages; they also
#   go to stderr, which Netcase stores with the run), loaded_scripts, stats, capture_loss,
#   telemetry, broker and cluster. Only streams defined by the scripts loaded so far exist,
#   hence the @ifdef around each. Streams are created at zeek_init priority 5, so priority 4
#   runs after their creation and before their first write.
event zeek_init() &priority=4
	{
@ifdef ( PacketFilter::LOG )
	Log::disable_stream(PacketFilter::LOG);
@endif
@ifdef ( Reporter::LOG )
	Log::disable_stream(Reporter::LOG);
@endif
@ifdef ( LoadedScripts::LOG )
	Log::disable_stream(LoadedScripts::LOG);
@endif
@ifdef ( Stats::LOG )
	Log::disable_stream(Stats::LOG);
@endif
@ifdef ( CaptureLoss::LOG )
	Log::disable_stream(CaptureLoss::LOG);
@endif
@ifdef ( Telemetry::LOG )
	Log::disable_stream(Telemetry::LOG);
@endif
@ifdef ( Broker::LOG )
	Log::disable_stream(Broker::LOG);
@endif
@ifdef ( Cluster::LOG )
	Log::disable_stream(Cluster::LOG);
@endif
	}
