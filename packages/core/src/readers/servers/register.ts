import { composeReader } from '../compose/index.js';
import { ecsReader } from '../ecs/index.js';
import { dockerfileReader } from '../image/dockerfile.js';
import { imageSource } from '../image/source.js';
import type { ConfigReader } from '../types.js';
import { SERVER_FILE_READERS } from './index.js';
import { cmdSource, procSource } from './sources.js';

/**
 * The server side as deployed: readers (each also a `kind:PATH` source through the file bridge)
 * and the source kinds that are not files (`cmd:`, `proc:`, `image:` tarballs).
 */
export const DEPLOYED_READERS: readonly ConfigReader[] = [
  dockerfileReader,
  composeReader,
  ecsReader,
  ...SERVER_FILE_READERS,
];

export const DEPLOYED_SOURCE_KINDS = [cmdSource, procSource, imageSource];

export const DEPLOYED_READER_EXAMPLES: Readonly<Record<string, string>> = {
  dockerfile: '--backend dockerfile:services/api/Dockerfile',
  compose: '--backend compose:docker-compose.yml#api',
  ecs: '--backend ecs:taskdef.json',
  httpd: '--backend httpd:/etc/apache2/apache2.conf',
  tomcat: '--backend tomcat:conf/server.xml',
  'spring-boot': '--backend spring-boot:src/main/resources/application.yml',
  kestrel: '--backend kestrel:appsettings.json',
  'gunicorn-conf': '--backend gunicorn-conf:gunicorn.conf.py',
  'puma-rb': '--backend puma-rb:config/puma.rb',
};
